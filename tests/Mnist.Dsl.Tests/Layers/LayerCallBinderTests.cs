using System;
using Mnist.Dsl.Layers;
using Xunit;

namespace Mnist.Dsl.Tests.Layers;

/// <summary>LayerCallBinder picks the method C# picks for the same text, and refuses a description two methods take equally.</summary>
public class LayerCallBinderTests
{
    /// <summary>TorchSharp's shape: nn.Tanh() beside nn.Tanh(bool inplace = false).</summary>
    public static class Host
    {
        public static string Tanh() => "no arguments";

        public static string Tanh(bool inplace = false) => "inplace " + inplace;

        public static string Either(int size = 1) => "int " + size;

        public static string Either(long size = 2) => "long " + size;
    }

    [Fact]
    public void Of_a_method_without_parameters_and_one_with_only_defaults_the_one_without_is_called_as_in_CSharp()
    {
        Assert.Equal("no arguments", LayerCallBinder.Bind(typeof(Host), instance: false, new LayerCall("nn.Tanh")).Invoke(null));
        Assert.Equal("inplace True",
            LayerCallBinder.Bind(typeof(Host), instance: false, new LayerCall("nn.Tanh", CallArgument.Of(true, "inplace"))).Invoke(null));
    }

    [Fact]
    public void Two_methods_that_both_need_defaults_are_refused_with_the_call()
    {
        var error = Assert.Throws<InvalidOperationException>(() => LayerCallBinder.Bind(typeof(Host), instance: false, new LayerCall("Either")));
        Assert.Contains("2 public methods that take Either()", error.Message);
    }
}
