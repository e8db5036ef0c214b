namespace Mnist.Dsl.Analysis;

/// <summary>
/// What one layer does to a sample. <see cref="RowName"/> is torchsummary's row name ("Conv2d-1"), numbered
/// over the layers that are modules; functional layers have none. Receptive field and jump follow
/// r_out = r_in + (k - 1)·j_in, j_out = j_in·s, from r = j = 1 at the input.
/// </summary>
public sealed record LayerReport(
    int Index,
    Layer Layer,
    string? RowName,
    Shape Input,
    Shape Output,
    long Parameters,
    int ReceptiveField,
    int Jump,
    long MultiplyAdds);
