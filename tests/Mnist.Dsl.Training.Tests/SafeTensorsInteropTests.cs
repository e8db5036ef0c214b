using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.Json;
using TorchSharp;
using Mnist.Dsl.Training.Serialization;
using Xunit;
using static TorchSharp.torch;
using Mnist.Tests.Shared;

namespace Mnist.Dsl.Training.Tests;

/// <summary>
/// safetensors files go both ways between Mnist.Dsl.Training (on TorchSharp) and PyTorch with identical bits; modules save and load
/// their state; a file of another model, a truncated file or a corrupt header fail with a message that
/// says what is wrong and where. They run alone: they draw from libtorch's global generator, which seeded
/// tests (dropout parity) need undisturbed.
/// </summary>
[Collection(Serial.Name)]
public sealed class SafeTensorsInteropTests : IDisposable
{
    private readonly DirectoryInfo _folder = Directory.CreateTempSubdirectory("mnist-safetensors-");

    public void Dispose() => _folder.Delete(recursive: true);

    private string PathOf(string name) => Path.Combine(_folder.FullName, name);

    /// <summary>The reference values of safetensors_interop.py, built here from the same formulas.</summary>
    private static Dictionary<string, Tensor> Reference()
    {
        // Python's float("nan") is the positive quiet NaN; .NET's double.NaN has the sign bit set, so spell out the bits.
        var nan = BitConverter.Int32BitsToSingle(0x7FC00000);
        var special = new[] { 0f, -0f, float.PositiveInfinity, float.NegativeInfinity, nan, (float)1e-45, (float)3.4028234663852886e38, (float)-1.1754943508222875e-38 };
        var f32 = special.Concat(Enumerable.Range(0, 52).Select(i => (float)(i * 0.37 - 7.5))).ToArray();
        var i64 = new[] { 0L, 1, -1, (1L << 40) + 3, -(1L << 62) - 5, long.MaxValue, long.MinValue, 123456789012345, -42, 7, (1L << 53) + 1, -(1L << 33) };
        var u8 = Enumerable.Range(0, 256).Select(i => (byte)((i * 37 + 11) % 256)).ToArray();
        return new Dictionary<string, Tensor>
        {
            ["f32"] = tensor(f32, new long[] { 3, 4, 5 }),
            ["i64"] = tensor(i64, new long[] { 2, 6 }),
            ["u8"] = tensor(u8, new long[] { 256 }),
            ["scalar"] = tensor(2.5f),
            ["empty"] = tensor(Array.Empty<float>(), new long[] { 0, 3 }),
        };
    }

    [Fact]
    public void A_file_written_here_loads_in_pytorch_with_identical_bits()
    {
        using var scope = NewDisposeScope();
        var file = PathOf("from-dotnet.safetensors");
        SafeTensors.Save(Reference(), file, new Dictionary<string, string> { ["format"] = "pt", ["note"] = "ünïcode ✓" });

        var result = PyTorch.Run("safetensors_interop.py", new Dictionary<string, Tensor>(), "check", file, PathOf("from-python.safetensors"));

        Assert.Equal("", Text(result["problems"]));
        var metadata = JsonSerializer.Deserialize<Dictionary<string, string>>(Text(result["metadata"]));
        Assert.Equal(new Dictionary<string, string> { ["format"] = "pt", ["note"] = "ünïcode ✓" }, metadata);
    }

    [Fact]
    public void A_file_written_by_pytorch_loads_here_with_identical_bits()
    {
        using var scope = NewDisposeScope();
        var file = PathOf("from-python.safetensors");
        SafeTensors.Save(Reference(), PathOf("from-dotnet.safetensors"));
        PyTorch.Run("safetensors_interop.py", new Dictionary<string, Tensor>(), "check", PathOf("from-dotnet.safetensors"), file);

        var loaded = SafeTensors.Load(file, out var metadata);

        Assert.Equal(new Dictionary<string, string> { ["writer"] = "python/st.py", ["format"] = "pt" }, metadata);
        var expected = Reference();
        Assert.Equal(expected.Keys.OrderBy(k => k), loaded.Keys.OrderBy(k => k));
        foreach (var (name, want) in expected)
        {
            var got = loaded[name];
            Assert.Equal(want.dtype, got.dtype);
            Assert.Equal(want.shape, got.shape);
            Assert.True(Bytes(want).SequenceEqual(Bytes(got)), $"{name}: the bytes differ");
        }
        // Bits, not just values: -0.0 and the NaN payload survive.
        var f32 = loaded["f32"].data<float>().ToArray();
        Assert.True(BitConverter.SingleToInt32Bits(f32[1]) == unchecked((int)0x80000000), "-0.0 lost its sign");
        Assert.True(float.IsNaN(f32[4]));
        Assert.Equal(long.MinValue, loaded["i64"].data<long>()[6]);
    }

    private static nn.Module<Tensor, Tensor> Model() => nn.Sequential(
        ("conv", nn.Conv2d(1, 4, 3)), ("bn", nn.BatchNorm2d(4)), ("relu", nn.ReLU()), ("pool", nn.MaxPool2d(2)), ("flat", nn.Flatten()), ("fc", nn.Linear(16, 10)));

    private const string PyModel =
        "nn.Sequential(__import__('collections').OrderedDict([('conv', nn.Conv2d(1, 4, 3)), ('bn', nn.BatchNorm2d(4)), ('relu', nn.ReLU()), ('pool', nn.MaxPool2d(2)), ('flat', nn.Flatten()), ('fc', nn.Linear(16, 10))]))";

    /// <summary>A model with trained-looking state: random weights and running statistics moved by two batches.</summary>
    private static nn.Module<Tensor, Tensor> TrainedModel(int seed)
    {
        manual_seed(seed);
        var model = Model();
        using (var scope = NewDisposeScope())
        {
            model.train();
            model.forward(randn(new long[] { 5, 1, 6, 6 }));
            model.forward(randn(new long[] { 5, 1, 6, 6 }) * 3 + 1);
        }
        model.eval();
        return model;
    }

    [Fact]
    public void A_module_saved_and_loaded_keeps_every_parameter_and_buffer_and_pytorch_computes_the_same_with_it()
    {
        using var scope = NewDisposeScope();
        var file = PathOf("model.safetensors");
        using var original = TrainedModel(seed: 1);
        original.SaveWeights(file);
        using var copy = TrainedModel(seed: 2);
        var before = copy.state_dict()["fc.weight"].clone();
        Assert.NotEqual(0, (before - original.state_dict()["fc.weight"]).abs().max().item<float>()); // the load has something to do

        copy.LoadWeights(file);

        var expectedState = original.state_dict();
        var loadedState = copy.state_dict();
        Assert.Equal(expectedState.Keys, loadedState.Keys);
        foreach (var (key, value) in expectedState)
        {
            Assert.Equal(value.dtype, loadedState[key].dtype);
            Assert.True(Bytes(value).SequenceEqual(Bytes(loadedState[key])), $"{key} differs after the round trip");
        }
        Assert.Equal(2L, loadedState["bn.num_batches_tracked"].item<long>());

        var x = randn(new long[] { 3, 1, 6, 6 });
        var result = PyTorch.Run("safetensors_interop.py", new Dictionary<string, Tensor> { ["x"] = x }, "model", PyModel, file);
        TensorAssert.Close(result["y"], copy.forward(x), what: "output of the loaded model");
        foreach (var (key, value) in expectedState)
            TensorAssert.Close(result["state." + key], value, tolerance: 0, what: $"PyTorch's {key}");
    }

    [Fact]
    public void Loading_weights_of_another_model_lists_every_mismatch_and_changes_nothing()
    {
        using var scope = NewDisposeScope();
        var file = PathOf("other.safetensors");
        using (var source = TrainedModel(seed: 3))
        {
            var state = source.state_dict();
            state["fc.bias"] = state["fc.bias"].to_type(float64);
            SafeTensors.Save(state, file);
        }
        manual_seed(4);
        using var target = nn.Sequential(("conv", nn.Conv2d(1, 8, 3)), ("relu", nn.ReLU()), ("pool", nn.MaxPool2d(2)), ("flat", nn.Flatten()),
            ("fc", nn.Linear(16, 10)), ("head", nn.Linear(10, 2)));
        var before = target.state_dict().ToDictionary(kv => kv.Key, kv => kv.Value.clone());

        var e = Assert.Throws<InvalidDataException>(() => target.LoadWeights(file));

        Assert.Contains(file, e.Message);
        var expectedLines = new[]
        {
            "shape: conv.weight is [4, 1, 3, 3] but this model's is [8, 1, 3, 3]",
            "shape: conv.bias is [4] but this model's is [8]",
            "dtype: fc.bias is Float64 but this model's is Float32",
            "missing: head.weight", "missing: head.bias",
            "unexpected: bn.weight", "unexpected: bn.bias", "unexpected: bn.running_mean", "unexpected: bn.running_var", "unexpected: bn.num_batches_tracked",
        };
        foreach (var line in expectedLines) Assert.Contains(line, e.Message);
        Assert.Contains($"({expectedLines.Length} differences)", e.Message);
        // fc.weight fits, but nothing is copied when anything does not.
        foreach (var (key, value) in target.state_dict())
            Assert.True(Bytes(before[key]).SequenceEqual(Bytes(value)), $"{key} changed although the load failed");
    }

    public static IEnumerable<object[]> Corruptions() => new (string name, Func<byte[], byte[]> corrupt, string reason)[]
    {
        ("truncated data", b => b[..^10], "truncated"),
        ("truncated header", b => b[..20], "truncated"),
        ("shorter than the length field", b => b[..5], "fewer than the 8-byte header length"),
        ("corrupt header", b => { var c = (byte[])b.Clone(); c[8] = (byte)'X'; return c; }, "header is not valid JSON"),
        ("header length beyond the file", b => { var c = (byte[])b.Clone(); BitConverter.TryWriteBytes(c.AsSpan(0, 8), (ulong)b.Length); return c; }, "truncated"),
        ("header that is not an object", _ => BitConverter.GetBytes(3UL).Concat(Encoding.UTF8.GetBytes("[1]")).ToArray(), "header is not a JSON object"),
        ("metadata that is not an object", _ => BitConverter.GetBytes(19UL).Concat(Encoding.UTF8.GetBytes("{\"__metadata__\":[]}")).ToArray(), "\"__metadata__\" is not a JSON object"),
    }.Select(c => new object[] { c.name, c.corrupt, c.reason });

    [Theory]
    [MemberData(nameof(Corruptions))]
    public void A_damaged_file_gives_InvalidDataException_naming_the_file(string name, Func<byte[], byte[]> corrupt, string reason)
    {
        using var scope = NewDisposeScope();
        var good = PathOf("good.safetensors");
        using var model = TrainedModel(seed: 5);
        model.SaveWeights(good);
        var bad = PathOf($"damaged ({name}).safetensors");
        File.WriteAllBytes(bad, corrupt(File.ReadAllBytes(good)));

        var e = Assert.Throws<InvalidDataException>(() => SafeTensors.Load(bad));
        Assert.Contains(bad, e.Message);
        Assert.Contains(reason, e.Message);

        // Through a module too, which is how a user meets it.
        var fromModule = Assert.Throws<InvalidDataException>(() => model.LoadWeights(bad));
        Assert.Contains(bad, fromModule.Message);
    }

    private static string Text(Tensor bytes) => Encoding.UTF8.GetString(bytes.data<byte>().ToArray());

    /// <summary>
    /// The raw little-endian bytes of a tensor, for bit-exact comparisons (NaN == NaN, -0.0 != 0.0). Through
    /// <c>bytes</c>, not <c>data&lt;T&gt;().ToArray()</c>, which throws on a tensor with no elements in TorchSharp 0.107.
    /// </summary>
    private static byte[] Bytes(Tensor t)
    {
        using var plain = t.contiguous();
        return plain.bytes.ToArray();
    }
}
