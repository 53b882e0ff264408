namespace PetSeg.Lab.Config;

/// <summary>
/// A matrix's <c>refit: true</c>: once its runs' validation images have chosen a row, that row's settings are trained
/// again on all of trainval (the held-out images included) for the epochs its evaluated weights had, and evaluated on
/// the test split — the model a sweep ends with, as scikit-learn's <c>GridSearchCV(refit=True)</c> does.
/// </summary>
/// <param name="Matrix">The declared experiment id of the matrix.</param>
/// <param name="Runs">The matrix's runs (every combination, every seed) the choice is made among.</param>
public sealed record MatrixRefit(string Matrix, IReadOnlyList<ExperimentConfig> Runs)
{
    /// <summary>The refit's experiment id: <c>&lt;matrix&gt;-refit</c>.</summary>
    public static string IdOf(string matrix) => $"{matrix}-refit";
}
