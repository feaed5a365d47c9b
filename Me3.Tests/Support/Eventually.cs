using System.Net.Http.Json;
using System.Text.Json;

namespace Me3.Tests.Support;

/// <summary>Polls a JSON endpoint until it says what a spec waits for (events land within a batch interval or so).</summary>
public static class Eventually
{
    /// <summary>The document at <paramref name="path"/> once <paramref name="done"/> holds, or the last one read after
    /// 30 s (the spec's assertions then say what is missing).</summary>
    public static async Task<JsonElement> JsonAsync(HttpClient client, string path, Func<JsonElement, bool> done)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            var document = await client.GetFromJsonAsync<JsonElement>(path);
            if (done(document) || DateTime.UtcNow > deadline)
            {
                return document;
            }

            await Task.Delay(100);
        }
    }
}
