using PetSeg.Core;

namespace PetSeg.Workflow.Stages;

/// <summary>
/// Thrown by a stage computed for <c>run --check</c> (<see cref="StageContext.Stored"/>) where its computation has
/// already parted from the stored result (a training's loss at some batch): what follows would differ too, so a check
/// that would take hours ends there.
/// </summary>
/// <param name="output">The output whose record shows the parting (a training's losses.json).</param>
/// <param name="detail">Where, for a person ("the loss first differs at epoch 1, batch 3 (…)").</param>
public sealed class PartedFromStoredException(string output, string detail) : PetSegException($"{output}: {detail}")
{
    public string Output { get; } = output;
    public string Detail { get; } = detail;
}
