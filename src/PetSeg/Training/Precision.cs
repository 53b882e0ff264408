namespace PetSeg.Training;

/// <summary>fp32 reproduces the lab; bf16 trains a bfloat16 copy with fp32 master weights (faster on AMX/AVX512-BF16 CPUs, not bit-comparable).</summary>
public enum Precision { Fp32, Bf16 }
