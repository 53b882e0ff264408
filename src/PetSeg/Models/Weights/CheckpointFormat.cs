namespace PetSeg.Models.Weights;

/// <summary>The three ways PyTorch weights arrive on disk.</summary>
public enum CheckpointFormat { Zip, Legacy, Safetensors }
