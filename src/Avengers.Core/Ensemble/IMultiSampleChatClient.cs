using Microsoft.Extensions.AI;

namespace Avengers.Ensemble;

/// <summary>
/// A member that can return several samples from one request (OpenAI's <c>n</c>). The ensemble finds it
/// through <see cref="IChatClient.GetService"/>; members without it are sampled with parallel requests.
/// </summary>
public interface IMultiSampleChatClient
{
    /// <summary>Returns exactly <paramref name="count"/> responses (implementations top up when the backend returns fewer).</summary>
    Task<IReadOnlyList<ChatResponse>> GetResponsesAsync(IEnumerable<ChatMessage> messages, int count, ChatOptions? options = null, CancellationToken cancellationToken = default);
}
