namespace PetSeg.Models.Encoders;

/// <summary>How an ImageNet weights file is stored.</summary>
public enum WeightsFormat { TorchZip, Safetensors }
