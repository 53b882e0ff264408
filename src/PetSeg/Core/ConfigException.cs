namespace PetSeg.Core;

/// <summary>A problem in pipeline.yaml; the message starts with <c>file:line:column</c> and says what was expected.</summary>
public sealed class ConfigException(string message) : PetSeg.Core.PetSegException(message);
