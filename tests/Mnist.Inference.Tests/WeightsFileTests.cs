using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using Mnist.Models;
using Xunit;

namespace Mnist.Inference.Tests;

/// <summary>
/// The generated Load checks every tensor against the shapes the network declares, and each refusal names the file,
/// the tensor, and the expected and found shapes. The files are written here byte by byte (no libtorch), starting
/// from the set of tensors DefaultNet needs and breaking one thing at a time.
/// </summary>
public class WeightsFileTests
{
    /// <summary>DefaultNet's state dict: names and shapes, as the module's documentation lists them.</summary>
    private static Dictionary<string, (string Dtype, long[] Shape)> DefaultNetTensors()
    {
        var tensors = new Dictionary<string, (string, long[])>
        {
            ["conv1.weight"] = ("F32", new long[] { 16, 1, 3, 3 }),
            ["conv2.weight"] = ("F32", new long[] { 24, 16, 3, 3 }),
            ["conv3.weight"] = ("F32", new long[] { 12, 24, 1, 1 }),
            ["conv4.weight"] = ("F32", new long[] { 16, 12, 3, 3 }),
            ["conv5.weight"] = ("F32", new long[] { 24, 16, 3, 3 }),
            ["conv6.weight"] = ("F32", new long[] { 32, 24, 3, 3 }),
            ["fc1.weight"] = ("F32", new long[] { 10, 32 }),
            ["fc1.bias"] = ("F32", new long[] { 10 }),
        };
        foreach (var (bn, channels) in new[] { ("bn1", 16L), ("bn2", 24L), ("bn3", 16L), ("bn4", 24L), ("bn5", 32L) })
        {
            foreach (var key in new[] { "weight", "bias", "running_mean", "running_var" }) tensors[$"{bn}.{key}"] = ("F32", new[] { channels });
            tensors[$"{bn}.num_batches_tracked"] = ("I64", Array.Empty<long>());
        }
        return tensors;
    }

    /// <summary>A safetensors file: 8-byte little-endian header length, JSON header, data (ones for F32, zeros otherwise).</summary>
    private static void Write(string path, IReadOnlyDictionary<string, (string Dtype, long[] Shape)> tensors)
    {
        var header = new StringBuilder("{\"__metadata__\":{\"format\":\"pt\"}");
        var data = new List<byte>();
        foreach (var (name, (dtype, shape)) in tensors)
        {
            var count = shape.Aggregate(1L, (a, b) => a * b);
            var size = dtype is "F64" or "I64" ? 8 : 4;
            var begin = data.Count;
            for (var i = 0; i < count; i++) data.AddRange(dtype == "F32" ? BitConverter.GetBytes(1f) : new byte[size]);
            header.Append($",\"{name}\":{{\"dtype\":\"{dtype}\",\"shape\":[{string.Join(",", shape)}],\"data_offsets\":[{begin},{data.Count}]}}");
        }
        var json = Encoding.UTF8.GetBytes(header.Append('}').ToString());
        using var file = File.Create(path);
        file.Write(BitConverter.GetBytes((ulong)json.Length));
        file.Write(json);
        file.Write(data.ToArray());
    }

    private static Exception LoadFails(Action<Dictionary<string, (string Dtype, long[] Shape)>> breakIt, out string path)
    {
        var tensors = DefaultNetTensors();
        breakIt(tensors);
        using var file = new TemporaryFile(".safetensors");
        Write(file.Path, tensors);
        path = file.Path;
        var p = path;
        return Assert.ThrowsAny<Exception>(() => DefaultNetInference.Load(p));
    }

    [Fact]
    public void A_complete_file_loads_and_gives_finite_outputs()
    {
        using var file = new TemporaryFile(".safetensors");
        Write(file.Path, DefaultNetTensors());

        var network = DefaultNetInference.Load(file.Path);
        var outputs = new float[DefaultNetInference.Classes];
        network.Predict(TestSet.Images.AsSpan(0, DefaultNetInference.InputLength), outputs);

        Assert.All(outputs, o => Assert.True(float.IsFinite(o)));
    }

    [Fact]
    public void A_tensor_of_the_wrong_shape_is_refused_with_the_file_the_tensor_and_both_shapes()
    {
        var error = LoadFails(t => t["conv2.weight"] = ("F32", new long[] { 24, 16, 5, 5 }), out var path);

        var invalid = Assert.IsType<InvalidDataException>(error);
        Assert.Contains(path, invalid.Message);
        Assert.Contains("'conv2.weight'", invalid.Message);
        Assert.Contains("has shape [24, 16, 5, 5]", invalid.Message);
        Assert.Contains("DefaultNet expects [24, 16, 3, 3]", invalid.Message);
    }

    [Fact]
    public void A_BatchNorm_of_the_wrong_width_is_refused()
    {
        var error = LoadFails(t => t["bn4.running_var"] = ("F32", new long[] { 32 }), out _);

        Assert.Contains("'bn4.running_var' has shape [32] but DefaultNet expects [24]", Assert.IsType<InvalidDataException>(error).Message);
    }

    [Fact]
    public void A_missing_tensor_is_named()
    {
        var error = LoadFails(t => t.Remove("fc1.bias"), out var path);

        var message = Assert.IsType<InvalidDataException>(error).Message;
        Assert.Contains($"{path} has no tensor 'fc1.bias', which DefaultNet expects with shape [10]", message);
    }

    [Fact]
    public void A_tensor_that_is_not_float32_is_refused()
    {
        var error = LoadFails(t => t["conv1.weight"] = ("F64", new long[] { 16, 1, 3, 3 }), out _);

        Assert.Contains("'conv1.weight' is F64 but DefaultNet expects F32", Assert.IsType<InvalidDataException>(error).Message);
    }

    [Fact]
    public void Tensors_the_network_does_not_have_are_refused_as_another_networks_weights()
    {
        var error = LoadFails(t => t["conv7.weight"] = ("F32", new long[] { 10, 32, 3, 3 }), out _);

        Assert.Contains("'conv7.weight', which DefaultNet does not have", Assert.IsType<InvalidDataException>(error).Message);
    }

    [Fact]
    public void Through_the_registry_a_file_of_another_network_is_named_as_that_networks_and_one_of_none_keeps_its_message()
    {
        var registry = Mnist.Dsl.Registry.NetworkRegistry.Of(typeof(DefaultNet).Assembly);
        using var file = new TemporaryFile(".safetensors");
        var tensors = DefaultNetTensors();
        // PyTorch exporters may drop BatchNorm's batch counts; the file is still DefaultNet's.
        tensors.Remove("bn1.num_batches_tracked");
        Write(file.Path, tensors);

        var other = Assert.Throws<InvalidDataException>(() => registry.Find("small").LoadInference(file.Path, registry));
        Assert.Equal($"{file.Path}: these weights fit network 'default', not 'small'. Use them with 'default', or give a weights file of 'small'.", other.Message);
        Assert.Contains("SmallNet", other.InnerException!.Message); // the generated loader's own refusal, kept as the cause
        Assert.Equal("DefaultNet", registry.Find("default").LoadInference(file.Path, registry).Network);

        tensors["conv7.weight"] = ("F32", new long[] { 10, 32, 3, 3 });
        Write(file.Path, tensors);
        var none = Assert.Throws<InvalidDataException>(() => registry.Find("small").LoadInference(file.Path, registry));
        Assert.DoesNotContain("these weights fit", none.Message);
        Assert.Contains("SmallNet", none.Message);
    }

    [Fact]
    public void A_truncated_file_is_refused_as_damaged()
    {
        using var file = new TemporaryFile(".safetensors");
        Write(file.Path, DefaultNetTensors());
        var bytes = File.ReadAllBytes(file.Path);
        File.WriteAllBytes(file.Path, bytes.AsSpan(0, bytes.Length - 100).ToArray());

        var error = Assert.Throws<InvalidDataException>(() => DefaultNetInference.Load(file.Path));

        Assert.Contains($"{file.Path} is not a valid safetensors file", error.Message);
        Assert.Contains("truncated", error.Message);
    }

    [Fact]
    public void A_missing_file_says_where_the_trainer_writes_weights()
    {
        var error = Assert.Throws<FileNotFoundException>(() => DefaultNetInference.Load("/nonexistent/best.safetensors"));

        Assert.Contains("/nonexistent/best.safetensors does not exist", error.Message);
    }

    [Fact]
    public void Inputs_of_the_wrong_length_are_refused_with_the_expected_length()
    {
        using var file = new TemporaryFile(".safetensors");
        Write(file.Path, DefaultNetTensors());
        var network = DefaultNetInference.Load(file.Path);

        var error = Assert.Throws<ArgumentException>(() => network.Classify(new float[100]));
        Assert.Contains("needs 784 floats per image (1×28×28", error.Message);
        Assert.Throws<ArgumentException>(() => network.Predict(new float[784], new float[9]));
        Assert.Throws<ArgumentException>(() => network.PredictBatch(new float[784 * 3], new float[20]));
    }
}
