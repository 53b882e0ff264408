using System.Security.Cryptography;
using System.Text.Json;
using PetSeg.Core;
using PetSeg.IO;
using PetSeg.Workflow.Store;

namespace PetSeg.Workflow.Remote;

/// <summary>What one push did.</summary>
public sealed record PushResult(string Stage, bool AlreadyThere, int ObjectsSent, long BytesSent);
