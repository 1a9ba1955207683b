namespace Avengers.Server.Fleet;

/// <summary>
/// Request permits of one key that this replica has already counted in Redis and not yet used, so that a busy key
/// does not cost a Redis round trip per request (its CPU, on a saturated gateway, is what the limit check costs).
/// Never more than the limit goes through: a permit is counted in Redis when leased, not when used. The lease follows
/// the key's own pace here (about what it uses in a <see cref="Lifetime"/> at the pace of its last quarter of one, at most <c>redis_limit_lease</c>, 64 by default),
/// the script grants at most a sixteenth of what the window has left (so the last permits of a window go one request
/// at a time, exactly, whichever replica asks), and what is not used within the lifetime is handed back.
/// </summary>
internal sealed class PermitLease
{
    /// <summary>Longest a leased permit stays here before it is handed back to the window.</summary>
    public static readonly TimeSpan Lifetime = TimeSpan.FromSeconds(1);
    /// <summary>How often unused permits past their lifetime are looked for (they are held at most this much longer).</summary>
    public static readonly TimeSpan SweepEvery = TimeSpan.FromMilliseconds(250);
    /// <summary>Most permits one lease takes by default (<c>redis_limit_lease</c>).</summary>
    public const int DefaultMaxSize = 64;

    private readonly Lock _gate = new();
    private readonly TimeProvider _time;
    private long _minute;          // the Redis window (minute number) the permits were counted in
    private int _permits;          // counted in Redis, not used yet
    private long _expires;         // timestamp after which the permits go back
    private long _counted;         // the window's request count in Redis just after the lease was counted
    private long _tokens;          // the window's token count then
    private long _windowEnds;      // timestamp of the window's end
    private bool _renewing;        // one lease at a time is asked for; others ask for one permit meanwhile
    private long _paceStart;       // this replica's admissions of the key, per lifetime: now and the last one
    private int _paceNow, _paceLast; // admissions since _paceStart, and the pace (per lifetime) measured before it

    private readonly int _maxSize;

    /// <param name="time">The clock.</param>
    /// <param name="maxSize">Most permits one lease takes (1: every request asks Redis).</param>
    public PermitLease(TimeProvider time, int maxSize = DefaultMaxSize)
    {
        _time = time;
        _maxSize = maxSize;
        _paceStart = time.GetTimestamp();
    }

    /// <summary>What a request asks Redis for when it finds no permit here.</summary>
    /// <param name="Wanted">Permits to count (this request's and the lease's), before the script's cap.</param>
    /// <param name="Returned">Unused permits of an expired lease, handed back in the same call.</param>
    /// <param name="ReturnedMinute">The window they were counted in (handed back only if it is still the current one).</param>
    /// <param name="Refill">Asked beside an admitted request: every permit granted goes to the lease.</param>
    internal readonly record struct Ask(int Wanted, int Returned, long ReturnedMinute, bool Refill = false);

    /// <summary>Takes a leased permit, or says what to ask Redis for.</summary>
    /// <param name="counts">With a permit: the counters as this replica sees them.</param>
    /// <param name="ask">Without one: what this request asks Redis for. With one: a refill to ask for beside the request
    /// (a quarter of the lease left and none asked for yet, so that a busy key rarely finds the lease empty), or none.</param>
    /// <returns>true when admitted from the lease.</returns>
    public bool TryTake(out LeasedCounts counts, out Ask ask)
    {
        long now = _time.GetTimestamp();
        lock (_gate)
        {
            Pace(now);
            if (_permits > 0 && now < _expires)
            {
                _permits--;
                counts = new LeasedCounts(_counted - _permits, _tokens, _time.GetElapsedTime(now, _windowEnds));
                int wanted = Math.Clamp(_paceLast, 1, _maxSize);
                ask = default;
                if (!_renewing && wanted > 1 && _permits <= wanted / 4)
                {
                    _renewing = true;
                    ask = new Ask(wanted, 0, _minute, Refill: true);
                }
                return true;
            }
            int returned = _permits;
            _permits = 0;
            int size = _renewing ? 1 : Math.Clamp(_paceLast, 1, _maxSize);
            if (size > 1) _renewing = true;
            counts = default;
            ask = new Ask(size, returned, _minute);
            return false;
        }
    }

    /// <summary>Keeps what the script granted beyond the asking request's own permit (all of it for a refill).</summary>
    /// <returns>The window's request count as this replica sees it: Redis's count less the permits held here, unused.</returns>
    public long Granted(Ask ask, int granted, long minute, long counted, long tokens, TimeSpan windowLeft)
    {
        long now = _time.GetTimestamp();
        int kept = ask.Refill ? granted : granted - 1;
        lock (_gate)
        {
            if (ask.Wanted > 1) _renewing = false;
            if (kept <= 0) return counted - (minute == _minute ? _permits : 0);
            if (minute != _minute) _permits = 0; // older permits belong to a window that has ended
            _minute = minute;
            _permits += kept;
            _counted = counted;
            _tokens = tokens;
            TimeSpan life = windowLeft < Lifetime ? windowLeft : Lifetime;
            _expires = now + (long)(life.TotalSeconds * _time.TimestampFrequency);
            _windowEnds = now + (long)(windowLeft.TotalSeconds * _time.TimestampFrequency);
            return counted - _permits;
        }
    }

    /// <summary>The ask failed (Redis unreachable): the next request may ask for a lease again.</summary>
    public void Failed(Ask ask)
    {
        if (ask.Wanted <= 1) return;
        lock (_gate) _renewing = false;
    }

    /// <summary>Ends the lease now (the key's tokens or spend came near a limit): the next request asks Redis.</summary>
    public void Expire()
    {
        lock (_gate) _expires = 0;
    }

    /// <summary>Takes back unused permits whose lifetime has passed, for handing back to their window.</summary>
    /// <returns>How many, and the window they belong to; 0 when none are due.</returns>
    public (int Permits, long Minute) TakeExpired()
    {
        long now = _time.GetTimestamp();
        lock (_gate)
        {
            if (_permits == 0 || now < _expires) return (0, 0);
            int permits = _permits;
            _permits = 0;
            return (permits, _minute);
        }
    }

    /// <summary>Takes back every unused permit now (the replica is stopping), for handing back to its window.</summary>
    public (int Permits, long Minute) TakeAll()
    {
        lock (_gate)
        {
            int permits = _permits;
            _permits = 0;
            _expires = 0;
            return (permits, _minute);
        }
    }

    /// <summary>The refill asked for last (the store's; a request refused meanwhile waits for it).</summary>
    public Task? Refilling { get; set; }

    /// <summary>True while unused permits are held (the store's sweep has work).</summary>
    public bool Holds
    {
        get { lock (_gate) return _permits > 0; }
    }

    // Counts admissions per quarter of a lifetime (or longer, when none came for a while); the key's pace here is that
    // count scaled to a lifetime by the time it took.
    private void Pace(long now)
    {
        double lifetime = Lifetime.TotalSeconds * _time.TimestampFrequency;
        long elapsed = now - _paceStart;
        if (elapsed >= lifetime / 4)
        {
            _paceLast = (int)Math.Min(int.MaxValue, _paceNow * lifetime / elapsed);
            _paceNow = 0;
            _paceStart = now;
        }
        _paceNow++;
    }
}
