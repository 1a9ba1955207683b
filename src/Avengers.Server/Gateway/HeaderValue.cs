using System.Text;

namespace Avengers.Server.Gateway;

/// <summary>
/// Makes any text safe for an HTTP header: HTTP/1.1 allows only visible ASCII there, and Kestrel refuses (with a 500)
/// a value holding anything else. Voted answers and model names come from backends and config, so they may hold
/// other scripts, emoji, control characters or CR/LF. The value is the text's UTF-8 bytes, percent-encoded (RFC 3986)
/// for every byte outside visible ASCII and for '%' itself, so any percent-decoder
/// (<c>Uri.UnescapeDataString</c>, <c>decodeURIComponent</c>) gives the text back; the body carries it unencoded.
/// </summary>
internal static class HeaderValue
{
    /// <summary>Longest text carried, in UTF-8 bytes before encoding: a header is a hint, the body holds the whole answer.</summary>
    public const int MaxBytes = 256;

    /// <summary>The text percent-encoded where needed, cut (on a character boundary) after <see cref="MaxBytes"/> bytes.</summary>
    public static string Encode(string text)
    {
        if (IsSafe(text) && text.Length <= MaxBytes) return text;
        var builder = new StringBuilder(Math.Min(text.Length * 3, MaxBytes * 3));
        Span<byte> utf8 = stackalloc byte[4];
        int used = 0;
        foreach (Rune rune in text.EnumerateRunes())
        {
            int length = rune.EncodeToUtf8(utf8);
            if (used + length > MaxBytes) break;
            used += length;
            for (int i = 0; i < length; i++)
            {
                byte b = utf8[i];
                if (b is > 0x20 and < 0x7F && b != (byte)'%') builder.Append((char)b);
                else builder.Append('%').Append(b.ToString("X2", System.Globalization.CultureInfo.InvariantCulture));
            }
        }
        return builder.ToString();
    }

    private static bool IsSafe(string text)
    {
        foreach (char c in text)
            if (c is <= ' ' or >= '\x7F' or '%') return false;
        return true;
    }
}
