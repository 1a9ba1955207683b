namespace Avengers.Data.Import;

/// <summary>How a multiple-choice (loglikelihood) document's answer is read from its options' log-likelihoods.</summary>
public enum LmEvalChoiceScore
{
    /// <summary>The option with the highest log-likelihood (lm-eval's <c>acc</c>).</summary>
    Acc,
    /// <summary>The highest log-likelihood per character of the option (lm-eval's <c>acc_norm</c>).</summary>
    AccNorm,
}
