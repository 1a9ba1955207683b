namespace Avengers.Tests;

/// <summary>A clock the test moves by hand (limit windows, TTLs, decay).</summary>
internal sealed class ManualClock(DateTimeOffset now) : TimeProvider
{
    public ManualClock() : this(new DateTimeOffset(2026, 12, 5, 12, 0, 0, TimeSpan.Zero)) { }

    public DateTimeOffset Now { get; set; } = now;

    public override DateTimeOffset GetUtcNow() => Now;
}
