using PetSeg.Compute;

namespace PetSeg.Lab.Config;

/// <summary>Binds <c>compute:</c> and an experiment's <c>device:</c>.</summary>
internal static class ComputeSection
{
    public static ComputeConfig Bind(YamlSection section, string baseDir)
    {
        var numerics = section.Choice("numerics", "auto", [.. NumericsModes.Names]);
        var device = DeviceSetting(section, "device") ?? "auto";
        var libtorch = section.String("libtorch");
        var config = new ComputeConfig(NumericsModes.TryParse(numerics, out var mode) ? mode : NumericsMode.Auto, device,
            section.Bool("tf32", true), section.Bool("deterministic", true),
            libtorch is null ? null : Path.GetFullPath(Path.Combine(baseDir, libtorch)));
        section.RejectUnknown();
        return config;
    }

    /// <summary>A validated device setting under <paramref name="key"/>, or null when absent.</summary>
    public static string? DeviceSetting(YamlSection section, string key)
    {
        var text = section.String(key);
        if (text is not null && !DeviceChoice.IsValid(text))
            throw section.Error(key, $"'{text}' is not a device; expected one of {string.Join(", ", DeviceChoice.Forms)}");
        return text;
    }
}
