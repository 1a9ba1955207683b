using System.Text.Json;
using Avengers.Server.Gateway;
using Avengers.Server.OpenAI;

namespace Avengers.Server.Feedback;

/// <summary>
/// <c>POST /v1/feedback</c> with <c>{"id": "chatcmpl-...", "score": 0.0..1.0}</c> or <c>{"id", "correct": true|false}</c>,
/// optionally <c>"model"</c> (judge one member's answer instead of the returned one) and <c>"comment"</c> (kept with
/// the rating in the feedback log, never echoed). 202 when applied; 404 for an unknown or expired id (or one another
/// key received); 409 for a second rating of the same answer; 400 naming the field for a bad body; 503 while Redis
/// (fleet mode) is unreachable.
/// </summary>
internal static class FeedbackEndpoint
{
    private const int MaxComment = 4000;

    public static async Task<IResult> HandleAsync(HttpContext context, GatewayRuntime runtime)
    {
        (JsonDocument? document, IResult? error) = await ChatCompletionsEndpoint.ReadJsonAsync(context, runtime.Config.MaxBodyBytes);
        if (error is not null) return error;
        string id;
        double score;
        string? model = null, note = null;
        using (document)
        {
            JsonElement root = document!.RootElement;
            if (root.ValueKind != JsonValueKind.Object) return OpenAIErrors.BadRequest("the request body must be a JSON object: {\"id\": \"chatcmpl-...\", \"score\": 0..1} or {\"id\", \"correct\": true|false}");
            if (!root.TryGetProperty("id", out JsonElement i) || i.ValueKind != JsonValueKind.String || string.IsNullOrWhiteSpace(i.GetString()))
                return OpenAIErrors.BadRequest("'id' must be the id of a chat completion this key received (\"chatcmpl-...\")", "id");
            id = i.GetString()!;
            bool hasScore = root.TryGetProperty("score", out JsonElement s) && s.ValueKind != JsonValueKind.Null;
            bool hasCorrect = root.TryGetProperty("correct", out JsonElement c) && c.ValueKind != JsonValueKind.Null;
            if (hasScore == hasCorrect) return OpenAIErrors.BadRequest("give exactly one of 'score' (a number from 0 to 1) and 'correct' (true or false)", hasScore ? "correct" : "score");
            if (hasScore)
            {
                if (s.ValueKind != JsonValueKind.Number || !s.TryGetDouble(out score) || !(score >= 0 && score <= 1))
                    return OpenAIErrors.BadRequest($"'score' must be a number from 0 to 1, found {Shown(s)}", "score");
            }
            else if (c.ValueKind is JsonValueKind.True or JsonValueKind.False) score = c.GetBoolean() ? 1 : 0;
            else return OpenAIErrors.BadRequest($"'correct' must be true or false, found {Shown(c)}", "correct");
            if (root.TryGetProperty("model", out JsonElement m) && m.ValueKind != JsonValueKind.Null)
            {
                if (m.ValueKind != JsonValueKind.String) return OpenAIErrors.BadRequest($"'model' must be the name of a model that answered, found {Shown(m)}", "model");
                model = m.GetString();
            }
            if (root.TryGetProperty("comment", out JsonElement comment) && comment.ValueKind != JsonValueKind.Null)
            {
                if (comment.ValueKind != JsonValueKind.String || comment.GetString()!.Length > MaxComment)
                    return OpenAIErrors.BadRequest($"'comment' must be a string of at most {MaxComment} characters", "comment");
                note = comment.GetString();
            }
        }

        FeedbackService feedback = context.RequestServices.GetRequiredService<FeedbackService>();
        string key = GatewayHost.RequestKey(context)?.Name ?? "";
        (RatingResult result, string? detail) = await feedback.RateAsync(id, key, score, model, context.RequestAborted, note);
        return result switch
        {
            RatingResult.Applied => Results.Json(new { id, status = "accepted", score }, statusCode: 202),
            RatingResult.UnknownId => OpenAIErrors.NotFound($"no answer '{id}' to rate: unknown, expired, or received by another key", "id", "feedback_not_found"),
            RatingResult.AlreadyRated => OpenAIErrors.Result(409, $"answer '{id}' was rated already: an answer is rated once", "invalid_request_error", "id", "already_rated"),
            RatingResult.CapReached => CapReached(context, runtime, detail!),
            RatingResult.StoreUnavailable => StoreUnavailable(context),
            _ => OpenAIErrors.BadRequest(detail ?? "unknown model", "model"),
        };
    }

    /// <summary>429 with Retry-After (seconds to the next hour): the key gave the ratings its hour allows.</summary>
    private static IResult CapReached(HttpContext context, GatewayRuntime runtime, string retryAfterSeconds)
    {
        context.Response.Headers.RetryAfter = retryAfterSeconds;
        return OpenAIErrors.Result(429, $"this key gave its {runtime.Config.Feedback.MaxRatingsPerKeyPerHour} ratings for this hour (feedback.max_ratings_per_key_per_hour); try again in {retryAfterSeconds} s",
            "rate_limit_exceeded", null, "feedback_cap_reached");
    }

    /// <summary>503 with Retry-After: Redis, which holds the answers that can be rated, is unreachable; nothing was applied.</summary>
    private static IResult StoreUnavailable(HttpContext context)
    {
        context.Response.Headers.RetryAfter = "1";
        return OpenAIErrors.Result(503, "the store of answers to rate (Redis) is unreachable: the rating was not applied; try again shortly",
            "api_error", null, "feedback_store_unavailable");
    }

    private static string Shown(JsonElement value) => ChatCompletionsEndpoint.Shown(value);
}
