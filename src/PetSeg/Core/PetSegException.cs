namespace PetSeg.Core;

/// <summary>
/// The base of every failure a user can act on (bad config, a damaged file, a refused archive, a held lock): the
/// message says which file, where, and what to do. Front ends print the message alone; anything else is a bug.
/// </summary>
public class PetSegException(string message, Exception? inner = null) : Exception(message, inner);
