using System.Text.Json;

namespace Avengers.Server.OpenAI;

/// <summary>Errors in the OpenAI wire format: <c>{"error": {"message", "type", "param", "code"}}</c>.</summary>
public static class OpenAIErrors
{
    public static IResult Result(int status, string message, string type, string? param = null, string? code = null)
        => Results.Json(new { error = new { message, type, param, code } }, statusCode: status);

    public static IResult BadRequest(string message, string? param = null, string? code = null) => Result(400, message, "invalid_request_error", param, code);
    public static IResult NotFound(string message, string? param = null, string code = "not_found") => Result(404, message, "invalid_request_error", param, code);
    public static IResult Unauthorized(string message) => Result(401, message, "invalid_request_error", null, "invalid_api_key");
    public static IResult BackendFailed(string message) => Result(502, message, "api_error", null, "backend_error");

    /// <summary>The same body as a string, for SSE error events after streaming started.</summary>
    public static string EventPayload(string message, string type) => JsonSerializer.Serialize(new { error = new { message, type } });
}
