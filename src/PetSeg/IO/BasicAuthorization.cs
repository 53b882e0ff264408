using System.Net.Http.Headers;
using System.Text;

namespace PetSeg.IO;

/// <summary>An HTTP basic login as a request header (remotes and download mirrors behind a login).</summary>
public static class BasicAuthorization
{
    public static AuthenticationHeaderValue Of(string user, string password) =>
        new("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{user}:{password}")));
}
