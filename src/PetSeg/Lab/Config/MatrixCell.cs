namespace PetSeg.Lab.Config;

/// <summary>
/// One combination of an experiment's <c>matrix:</c> (<c>unet-lr-2</c> of <c>unet-lr</c>): the declared experiment,
/// its title, and the values this run takes (<c>lr=0.0003, augment=true</c>), for its title and the matrix's table.
/// </summary>
public sealed record MatrixCell(string Matrix, string Title, string Label);
