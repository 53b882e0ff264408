namespace PetSeg.Models.Weights.Pickle;

/// <summary>The Python object an OrderedDict/dict became (keys in insertion order).</summary>
public sealed class PickleDict : List<KeyValuePair<object?, object?>>;
