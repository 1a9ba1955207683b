namespace Avengers.Voting;

/// <summary>How the routed models' samples become one answer. Wire names are the lowercase member names.</summary>
public enum EnsembleStrategy
{
    /// <summary>The top model's first sample, no vote.</summary>
    Direct,
    /// <summary>Majority over the samples of the top_n models (multi-model self-consistency; top_n = 1 is plain self-consistency).</summary>
    Vote,
    /// <summary>Model-switch: the top model's samples; when their agreement is below the threshold, the next model's join the vote.</summary>
    Switch,
}
