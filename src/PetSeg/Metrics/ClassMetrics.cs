namespace PetSeg.Metrics;

/// <summary>Per-class figures derived from the confusion matrix.</summary>
public sealed record ClassMetrics(int Class, double IoU, double F1, double Precision, double Recall, long Support, long Predicted);
