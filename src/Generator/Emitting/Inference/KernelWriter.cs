using System.Collections.Generic;
using System.Linq;

namespace Mnist.Dsl.Generator.Emitting.Inference;

/// <summary>
/// Writes one method per stage with every size a literal. Convolutions (and Linear layers) accumulate all their
/// output channels at once, in 8-wide vectors, for a few neighbouring output pixels at a time: per tap and input
/// channel, one broadcast of the input value and one fused multiply-add per vector of output channels, the
/// weights read once for all the pixels of the block. The epilogue (ReLU, BatchNorm as scale and shift) runs on
/// the accumulators before they are stored. Everything reads and writes through refs with offsets that the
/// plan's sizes bound, so there are no bounds checks; the public entry points check the spans' lengths.
/// </summary>
internal static class KernelWriter
{
    /// <summary>Registers for accumulators: 16 YMM minus one broadcast and the weight vectors.</summary>
    private const int AccumulatorBudget = 14;

    public static string MethodName(Stage stage) => "Stage" + Code.Int(stage.Id);

    public static void Write(SourceWriter w, Stage stage)
    {
        w.Line();
        w.Line($"/// <summary>{Code.Xml(string.Join("; ", stage.Layers))}.</summary>");
        var parameters = new List<string> { "ref float input" };
        if (stage is not LogSoftmaxStage) parameters.Add("ref float output");
        if (stage is ConvolutionStage) parameters.AddRange(new[] { "ref float weights", "ref float bias" });
        foreach (var affine in stage.Epilogue.OfType<AffineOp>())
            parameters.AddRange(new[] { $"ref float scale{Code.Int(affine.Id)}", $"ref float shift{Code.Int(affine.Id)}" });
        w.Open($"private static void {MethodName(stage)}({string.Join(", ", parameters)})");
        switch (stage)
        {
            case ConvolutionStage conv: WriteConvolution(w, conv); break;
            case PoolStage pool: WritePool(w, pool); break;
            case GlobalAveragePoolStage gap: WriteGlobalAveragePool(w, gap); break;
            case FlattenStage flatten: WriteFlatten(w, flatten); break;
            case InputStage input: WriteInput(w, input); break;
            case LogSoftmaxStage softmax: WriteLogSoftmax(w, softmax); break;
            default: throw new System.NotSupportedException($"no kernel for the inference stage {stage.GetType().Name}");
        }
        w.Close();
    }

    private static void WriteConvolution(SourceWriter w, ConvolutionStage conv)
    {
        var input = conv.Input!;
        var output = conv.Output;
        var vectors = conv.PaddedOut / 8;
        var group = vectors <= 4 ? vectors : new[] { 4, 3, 2, 1 }.First(g => vectors % g == 0);
        var groups = vectors / group;
        var block = System.Math.Max(1, System.Math.Min(4, System.Math.Min((AccumulatorBudget - group) / group, output.Width)));
        var context = new ConvolutionContext(conv, group, groups);

        w.Open($"for (var y = 0; y < {Code.Int(output.Height)}; y++)");
        w.Line("var x = 0;");
        if (output.Width >= block)
        {
            w.Open($"for (; x <= {Code.Int(output.Width - block)}; x += {Code.Int(block)})");
            WriteConvolutionBlock(w, context, block);
            w.Close();
        }
        if (output.Width % block != 0)
        {
            w.Open($"for (; x < {Code.Int(output.Width)}; x++)");
            WriteConvolutionBlock(w, context, 1);
            w.Close();
        }
        w.Close();
    }

    private sealed record ConvolutionContext(ConvolutionStage Conv, int Group, int Groups)
    {
        /// <summary>The first output channel of the group being computed: a literal when there is one group.</summary>
        public string Channel(int vector) => Groups == 1 ? Code.Int(vector * 8) : vector == 0 ? "oc" : $"oc + {Code.Int(vector * 8)}";
    }

    private static void WriteConvolutionBlock(SourceWriter w, ConvolutionContext context, int pixels)
    {
        var conv = context.Conv;
        var input = conv.Input!;
        var output = conv.Output;
        var taps = conv.Kernel * conv.InChannels;
        if (context.Groups > 1)
        {
            w.Open($"for (var oc = 0; oc < {Code.Int(conv.PaddedOut)}; oc += {Code.Int(context.Group * 8)})");
        }
        for (var j = 0; j < pixels; j++)
            for (var v = 0; v < context.Group; v++)
                w.Line($"var a{j}_{v} = Load(ref bias, {context.Channel(v)});");
        // A 1×1 kernel has one row of taps: no loop over ky, and the code sits in the enclosing block.
        if (conv.Kernel > 1) w.Open($"for (var ky = 0; ky < {Code.Int(conv.Kernel)}; ky++)");
        var row = conv.Kernel == 1 ? $"y{Stride(conv.Stride)}" : $"y{Stride(conv.Stride)} + ky";
        w.Line($"ref float source = ref At(ref input, (({row}) * {Code.Int(input.PaddedWidth)} + x{Stride(conv.Stride)}) * {Code.Int(conv.InChannels)});");
        var kernelRow = conv.Kernel == 1 ? "" : $"ky * {Code.Int((long)taps * conv.PaddedOut)}";
        var groupColumn = context.Groups == 1 ? "" : "oc";
        var kernelOffset = string.Join(" + ", new[] { kernelRow, groupColumn }.Where(s => s.Length > 0));
        w.Line(kernelOffset.Length == 0 ? "ref float kernel = ref weights;" : $"ref float kernel = ref At(ref weights, {kernelOffset});");
        w.Open($"for (var t = 0; t < {Code.Int(taps)}; t++)");
        w.Line($"ref float tap = ref At(ref kernel, t * {Code.Int(conv.PaddedOut)});");
        for (var v = 0; v < context.Group; v++) w.Line($"var w{v} = Load(ref tap, {Code.Int(v * 8)});");
        for (var j = 0; j < pixels; j++)
        {
            var offset = j == 0 ? "t" : $"t + {Code.Int((long)j * conv.Stride * conv.InChannels)}";
            w.Line($"var i{j} = Broadcast(At(ref source, {offset}));");
            for (var v = 0; v < context.Group; v++) w.Line($"a{j}_{v} = Mad(i{j}, w{v}, a{j}_{v});");
        }
        w.Close();
        if (conv.Kernel > 1) w.Close();
        for (var j = 0; j < pixels; j++)
        {
            var pixel = j == 0 ? "x" : $"x + {Code.Int(j)}";
            w.Line($"ref float target{j} = ref At(ref output, {PixelOffset(output, "y", pixel)}{(context.Groups == 1 ? "" : " + oc")});");
            for (var v = 0; v < context.Group; v++)
            {
                var accumulator = $"a{j}_{v}";
                var channel = context.Channel(v);
                foreach (var op in conv.Epilogue) w.Line(VectorOp(op, accumulator, channel));
                var last = v == context.Group - 1;
                var remainder = conv.OutChannels % 8;
                var local = Code.Int(v * 8);
                if (!last || remainder == 0) w.Line($"Store(ref target{j}, {local}, {accumulator});");
                else if (context.Groups == 1) w.Line($"StorePartial(ref target{j}, {local}, {accumulator}, {Code.Int(remainder)});");
                else
                {
                    w.Line($"if (oc + {Code.Int((v + 1) * 8)} <= {Code.Int(conv.OutChannels)}) Store(ref target{j}, {local}, {accumulator});");
                    w.Line($"else StorePartial(ref target{j}, {local}, {accumulator}, {Code.Int(remainder)});");
                }
            }
        }
        if (context.Groups > 1) w.Close();
    }

    private static string Stride(int stride) => stride == 1 ? "" : " * " + Code.Int(stride);

    private static void WritePool(SourceWriter w, PoolStage pool)
    {
        var input = pool.Input!;
        var output = pool.Output;
        var channels = output.Channels;
        w.Open($"for (var y = 0; y < {Code.Int(output.Height)}; y++)");
        w.Open($"for (var x = 0; x < {Code.Int(output.Width)}; x++)");
        w.Line($"ref float source = ref At(ref input, {PixelOffset(input, $"y{Stride(pool.Stride)}", $"x{Stride(pool.Stride)}")});");
        w.Line($"ref float target = ref At(ref output, {PixelOffset(output, "y", "x")});");
        w.Line("var c = 0;");
        var window = $"(ky * {Code.Int(input.PaddedWidth)} + kx) * {Code.Int(channels)} + c";
        var area = Code.Int((long)pool.Kernel * pool.Kernel);
        foreach (var loop in ChannelLoop.For(channels)) WritePoolChannels(w, pool, loop, window, area);
        w.Close();
        w.Close();
    }

    private static void WritePoolChannels(SourceWriter w, PoolStage pool, ChannelLoop loop, string window, string area)
    {
        w.Open(loop.Header(pool.Output.Channels));
        w.Line($"var value = {(pool.IsMax ? loop.Read("source", "c") : loop.Zero)};");
        w.Line($"for (var ky = 0; ky < {Code.Int(pool.Kernel)}; ky++)");
        w.Line($"    for (var kx = 0; kx < {Code.Int(pool.Kernel)}; kx++)");
        w.Line("        " + (pool.IsMax ? $"value = Max(value, {loop.Read("source", window)});" : loop.Accumulate("value", loop.Read("source", window))));
        if (!pool.IsMax) w.Line(loop.DivideInPlace("value", area));
        foreach (var op in pool.Epilogue) w.Line(loop.Apply(op, "value"));
        w.Line(loop.Store("value"));
        w.Close();
    }

    private static void WriteGlobalAveragePool(SourceWriter w, GlobalAveragePoolStage gap)
    {
        var input = gap.Input!;
        var area = Code.Int((long)input.Height * input.Width);
        w.Line($"ref float target = ref At(ref output, {PixelOffset(gap.Output, "0", "0")});");
        w.Line("var c = 0;");
        foreach (var loop in ChannelLoop.For(input.Channels))
        {
            w.Open(loop.Header(input.Channels));
            w.Line($"var sum = {loop.Zero};");
            w.Line($"for (var y = 0; y < {Code.Int(input.Height)}; y++)");
            w.Line($"    for (var x = 0; x < {Code.Int(input.Width)}; x++)");
            w.Line("        " + loop.Accumulate("sum", loop.Read("input", $"{PixelOffset(input, "y", "x")} + c")));
            w.Line($"var value = {loop.Divide("sum", area)};");
            foreach (var op in gap.Epilogue) w.Line(loop.Apply(op, "value"));
            w.Line(loop.Store("value"));
            w.Close();
        }
    }

    /// <summary>
    /// The text of a loop over channels, 8 per vector or (for the channels left over) one at a time, so a kernel
    /// that works channel by channel is written once for both.
    /// </summary>
    private sealed record ChannelLoop(bool Vector)
    {
        public static IEnumerable<ChannelLoop> For(int channels)
        {
            if (channels >= 8) yield return new ChannelLoop(true);
            if (channels % 8 != 0) yield return new ChannelLoop(false);
        }

        public string Header(int channels) =>
            Vector ? $"for (; c <= {Code.Int(channels - 8)}; c += 8)" : $"for (; c < {Code.Int(channels)}; c++)";

        public string Zero => Vector ? "Zero()" : "0f";

        public string Read(string origin, string offset) => Vector ? $"Load(ref {origin}, {offset})" : $"At(ref {origin}, {offset})";

        public string Accumulate(string sum, string value) => Vector ? $"{sum} = Add({sum}, {value});" : $"{sum} += {value};";

        public string Divide(string value, string by) => Vector ? $"Divide({value}, {by}f)" : $"{value} / {by}f";

        public string DivideInPlace(string value, string by) => Vector ? $"{value} = Divide({value}, {by}f);" : $"{value} /= {by}f;";

        public string Apply(EpilogueOp op, string value) => Vector ? VectorOp(op, value, "c") : ScalarOp(op, value, "c");

        public string Store(string value) => Vector ? $"Store(ref target, c, {value});" : $"At(ref target, c) = {value};";
    }

    private static void WriteFlatten(SourceWriter w, FlattenStage flatten)
    {
        var input = flatten.Input!;
        w.Line("var f = 0;");
        w.Open($"for (var c = 0; c < {Code.Int(input.Channels)}; c++)");
        w.Open($"for (var y = 0; y < {Code.Int(input.Height)}; y++)");
        w.Open($"for (var x = 0; x < {Code.Int(input.Width)}; x++, f++)");
        w.Line($"var value = At(ref input, {PixelOffset(input, "y", "x")} + c);");
        foreach (var op in flatten.Epilogue) w.Line(ScalarOp(op, "value", "f"));
        w.Line("At(ref output, f) = value;");
        w.Close();
        w.Close();
        w.Close();
    }

    private static void WriteInput(SourceWriter w, InputStage stage)
    {
        var output = stage.Output;
        w.Line("var i = 0;");
        w.Open($"for (var c = 0; c < {Code.Int(output.Channels)}; c++)");
        w.Open($"for (var y = 0; y < {Code.Int(output.Height)}; y++)");
        w.Open($"for (var x = 0; x < {Code.Int(output.Width)}; x++, i++)");
        w.Line("var value = At(ref input, i);");
        foreach (var op in stage.Epilogue) w.Line(ScalarOp(op, "value", "c"));
        w.Line($"At(ref output, {PixelOffset(output, "y", "x")} + c) = value;");
        w.Close();
        w.Close();
        w.Close();
    }

    private static void WriteLogSoftmax(SourceWriter w, LogSoftmaxStage stage)
    {
        var activation = stage.Output;
        var channels = Code.Int(activation.Channels);
        w.Open($"for (var y = 0; y < {Code.Int(activation.Height)}; y++)");
        w.Open($"for (var x = 0; x < {Code.Int(activation.Width)}; x++)");
        w.Line($"ref float pixel = ref At(ref input, {PixelOffset(activation, "y", "x")});");
        w.Line("var max = pixel;");
        w.Line($"for (var c = 1; c < {channels}; c++) max = Max(max, At(ref pixel, c));");
        w.Line("var sum = 0f;");
        w.Line($"for (var c = 0; c < {channels}; c++) sum += global::System.MathF.Exp(At(ref pixel, c) - max);");
        w.Line("var log = global::System.MathF.Log(sum);");
        w.Open($"for (var c = 0; c < {channels}; c++)");
        w.Line("var value = At(ref pixel, c) - max - log;");
        foreach (var op in stage.Epilogue) w.Line(ScalarOp(op, "value", "c"));
        w.Line("At(ref pixel, c) = value;");
        w.Close();
        w.Close();
        w.Close();
    }

    /// <summary>The offset of pixel (row, column) of an activation, inside its zero border.</summary>
    private static string PixelOffset(Activation a, string row, string column)
    {
        var r = a.Pad == 0 ? row : $"{row} + {Code.Int(a.Pad)}";
        var c = a.Pad == 0 ? column : $"{column} + {Code.Int(a.Pad)}";
        if (a.Height == 1 && a.Width == 1 && a.Pad == 0) return "0";
        var rowTerm = a.Pad == 0 && !row.Contains(" ") ? row : $"({r})";
        return $"({rowTerm} * {Code.Int(a.PaddedWidth)} + {c}) * {Code.Int(a.Channels)}";
    }

    private static string VectorOp(EpilogueOp op, string value, string channel) => op switch
    {
        ReluOp => $"{value} = Relu({value});",
        AffineOp a => $"{value} = Mad({value}, Load(ref scale{Code.Int(a.Id)}, {channel}), Load(ref shift{Code.Int(a.Id)}, {channel}));",
        _ => throw new System.ArgumentException(op.ToString()),
    };

    private static string ScalarOp(EpilogueOp op, string value, string channel) => op switch
    {
        ReluOp => $"{value} = Relu({value});",
        AffineOp a => $"{value} = Mad({value}, At(ref scale{Code.Int(a.Id)}, {channel}), At(ref shift{Code.Int(a.Id)}, {channel}));",
        _ => throw new System.ArgumentException(op.ToString()),
    };

    /// <summary>Small helpers the kernels call, inlined by the JIT; every framework name fully qualified so user types cannot shadow them.</summary>
    public static void WriteHelpers(SourceWriter w)
    {
        const string V = "global::System.Runtime.Intrinsics.Vector256<float>";
        const string Vector256 = "global::System.Runtime.Intrinsics.Vector256";
        const string Inline = "[global::System.Runtime.CompilerServices.MethodImpl(global::System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]";
        var helpers = new[]
        {
            "private static ref float Data(float[] array) => ref global::System.Runtime.InteropServices.MemoryMarshal.GetArrayDataReference(array);",
            "private static ref float At(ref float origin, int offset) => ref global::System.Runtime.CompilerServices.Unsafe.Add(ref origin, offset);",
            "private static ref float At(ref float origin, nint offset) => ref global::System.Runtime.CompilerServices.Unsafe.Add(ref origin, offset);",
            $"private static {V} Load(ref float origin, int offset) => {Vector256}.LoadUnsafe(ref At(ref origin, offset));",
            $"private static void Store(ref float origin, int offset, {V} value) => {Vector256}.StoreUnsafe(value, ref At(ref origin, offset));",
            $"private static {V} Broadcast(float value) => {Vector256}.Create(value);",
            $"private static {V} Zero() => {V}.Zero;",
            $"private static {V} Add({V} a, {V} b) => a + b;",
            $"private static {V} Divide({V} a, float b) => a / {Vector256}.Create(b);",
            $"private static {V} Max({V} a, {V} b) => {Vector256}.Max(a, b);",
            $"private static {V} Relu({V} a) => {Vector256}.Max(a, {V}.Zero);",
            "private static float Max(float a, float b) => global::System.MathF.Max(a, b);",
            "private static float Relu(float a) => global::System.MathF.Max(a, 0f);",
            "private static float Mad(float a, float b, float c) => global::System.MathF.FusedMultiplyAdd(a, b, c);",
            $"private static {V} Mad({V} a, {V} b, {V} c) =>",
            $"    global::System.Runtime.Intrinsics.X86.Fma.IsSupported ? global::System.Runtime.Intrinsics.X86.Fma.MultiplyAdd(a, b, c) : a * b + c;",
        };
        foreach (var helper in helpers)
        {
            if (!helper.StartsWith("    ", System.StringComparison.Ordinal))
            {
                w.Line();
                w.Line(Inline);
            }
            w.Line(helper);
        }
        w.Line();
        w.Line("/// <summary>The first <paramref name=\"count\"/> lanes of <paramref name=\"value\"/>: the last output channels when their number is not a multiple of 8.</summary>");
        w.Line(Inline);
        w.Open($"private static void StorePartial(ref float origin, int offset, {V} value, int count)");
        w.Line("var lane = 0;");
        w.Open("if (count >= 4)");
        w.Line("global::System.Runtime.Intrinsics.Vector128.StoreUnsafe(global::System.Runtime.Intrinsics.Vector256.GetLower(value), ref At(ref origin, offset));");
        w.Line("lane = 4;");
        w.Close();
        w.Line($"for (; lane < count; lane++) At(ref origin, offset + lane) = {Vector256}.GetElement(value, lane);");
        w.Close();
    }
}
