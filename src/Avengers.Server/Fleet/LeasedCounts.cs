namespace Avengers.Server.Fleet;

/// <summary>A key's window as a replica holding leased permits sees it (the others' use since the lease not included).</summary>
internal readonly record struct LeasedCounts(long Requests, long Tokens, TimeSpan WindowLeft);
