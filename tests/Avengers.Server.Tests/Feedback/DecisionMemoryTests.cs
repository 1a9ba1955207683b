using Avengers.Server.Feedback;

namespace Avengers.Tests.Server;

public class DecisionMemoryTests
{
    private static RememberedDecision Decision(string id) => new()
    {
        Id = id,
        Key = "team-a",
        AnswerType = "choice",
        ReturnedModel = "m",
        Clusters = [[0, 1.0]],
        Samples = [new("m", "B")],
    };

    [Fact]
    public async Task The_oldest_decisions_go_first_when_full()
    {
        var memory = new InProcessDecisionMemory(TimeSpan.FromHours(1), maxRemembered: 3, new ManualClock());
        foreach (string id in new[] { "a", "b", "c", "d" }) await memory.RememberAsync(Decision(id), default);
        Assert.Null(await memory.FindAsync("a", default));
        Assert.Equal("b", (await memory.FindAsync("b", default))?.Id);
        Assert.Equal("d", (await memory.FindAsync("d", default))?.Id);
        Assert.Equal(3, memory.Count);
    }

    [Fact]
    public async Task A_decision_expires_after_its_TTL_and_leaves_room()
    {
        var clock = new ManualClock();
        var memory = new InProcessDecisionMemory(TimeSpan.FromMinutes(10), maxRemembered: 100, clock);
        await memory.RememberAsync(Decision("a"), default);
        clock.Now += TimeSpan.FromMinutes(9);
        await memory.RememberAsync(Decision("b"), default);
        Assert.NotNull(await memory.FindAsync("a", default));
        clock.Now += TimeSpan.FromMinutes(2);
        Assert.Null(await memory.FindAsync("a", default));      // past its TTL
        Assert.False(await memory.TryMarkRatedAsync("a", default));
        Assert.NotNull(await memory.FindAsync("b", default));
        await memory.RememberAsync(Decision("c"), default);
        Assert.Equal(2, memory.Count);                            // the expired one made room
    }

    [Fact]
    public async Task A_decision_is_rated_once()
    {
        var memory = new InProcessDecisionMemory(TimeSpan.FromHours(1), maxRemembered: 10, new ManualClock());
        await memory.RememberAsync(Decision("a"), default);
        Assert.True(await memory.TryMarkRatedAsync("a", default));
        Assert.False(await memory.TryMarkRatedAsync("a", default));
        Assert.False(await memory.TryMarkRatedAsync("unknown", default));
    }
}
