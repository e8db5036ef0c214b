using System.CommandLine;
using System.Reflection;


namespace Mnist.Dsl.Training;

/// <summary>
/// The whole MNIST trainer command line (list, summary, train, eval, export, --resume, plots, run folders) over a project's
/// networks, for a program whose Main is one line:
/// <code>return MnistTrainer.Run(args);</code>
/// </summary>
public static class MnistTrainer
{
    /// <summary>
    /// Runs the command line over the networks the generator registered in the entry assembly (the program's own
    /// [Network] classes), or, for an entry assembly the generator did not see (F#), its [Network] types found by
    /// reflection (AttributedNetworks). Returns the process exit code: 0 done, 2 a mistake (one line on stderr), 3
    /// diverged (NaN loss), 4 a run-folder file could not be written, 130 stopped (see ExitCodes).
    /// </summary>
    public static int Run(string[] args)
    {
        var entry = Assembly.GetEntryAssembly()
            ?? throw new InvalidOperationException(
                "MnistTrainer.Run(args) finds the networks in the entry assembly, and this process has none; pass them: " +
                "MnistTrainer.Run(args, networks).");
        IReadOnlyList<RegisteredNetwork> attributed;
        try
        {
            attributed = Definitions.AttributedNetworks.Of(entry);
        }
        catch (Exception e) when (e is Definitions.NetworkRulesException or InvalidOperationException)
        {
            // An F# network the build did not check (a build without the Mnist.Dsl package's step): the rules it breaks.
            Console.Error.WriteLine("error: " + e.Message);
            return ExitCodes.Mistake;
        }
        return Run(args, NetworkRegistry.Of(entry).Concat(attributed));
    }

    /// <summary>Runs the command line over the given networks (for example built at run time, or from several assemblies).</summary>
    public static int Run(string[] args, IEnumerable<RegisteredNetwork> networks)
    {
        if (args is null) throw new ArgumentNullException(nameof(args));
        if (networks is null) throw new ArgumentNullException(nameof(networks));
        var catalog = new ModelCatalog(networks.ToList());
        var program = Assembly.GetEntryAssembly()?.GetName().Name ?? "trainer";
        var data = new Option<string>("--data")
        {
            Description = "folder holding the MNIST IDX files (default: $MNIST_DIR, else the cache ./build.sh fetch-data fills)",
            DefaultValueFactory = _ => Data.MnistImages.DefaultFolder(),
        };

        var root = new RootCommand($"{program}: train the DSL-declared networks on MNIST (no command: train the default network)")
        {
            TrainCommand.Create(catalog, data, program, args),
            ListCommand(catalog),
            SummaryCommand(catalog),
            EvalCommand.Create(catalog, data),
            Report.ReportCommand.Create(catalog, data),
            Serve.ServeCommand.Create(catalog),
            ExportCommand.Create(catalog),
        };
        var train = root.Subcommands[0];
        root.SetAction(_ => train.Parse(Array.Empty<string>()).Invoke());

        var parsed = root.Parse(args);
        if (parsed.Errors.Count > 0)
        {
            // One line per mistake and a pointer to help, not the whole help text.
            foreach (var error in parsed.Errors) Console.Error.WriteLine($"error: {error.Message.ReplaceLineEndings(" ")}");
            Console.Error.WriteLine($"See: {program} {parsed.CommandResult.Command.Name} --help");
            return 2;
        }
        return parsed.Invoke(new InvocationConfiguration { ProcessTerminationTimeout = null });
    }

    private static Command ListCommand(ModelCatalog catalog)
    {
        var list = new Command("list", "list the networks with their parameter counts and receptive fields");
        list.SetAction(_ => Guarded(() =>
        {
            // Names padded to the longest (at least 10, the sample networks' column), so that fsharp-blocks lines up too.
            var width = catalog.All.Select(m => m.Name.Length).DefaultIfEmpty(0).Max();
            foreach (var m in catalog.All)
                Console.WriteLine(string.Format(System.Globalization.CultureInfo.InvariantCulture, "{0} {1,8:N0} parameters  RF {2,3}  {3}",
                    m.Name.PadRight(Math.Max(10, width)), m.Summary.TotalParameters, m.Summary.ReceptiveField, m.Description));
            return 0;
        }));
        return list;
    }

    private static Command SummaryCommand(ModelCatalog catalog)
    {
        var model = new Argument<string>("model") { Description = "network to describe" };
        var summary = new Command("summary",
            "print a network's torchsummary table, then receptive field, jump and multiply-adds per layer") { model };
        summary.SetAction(parse => Guarded(() =>
        {
            var entry = catalog.Find(parse.GetValue(model)!);
            Console.WriteLine(entry.Summary.ToTable());
            Console.WriteLine();
            Console.WriteLine(entry.Summary.ToDetailTable());
            return 0;
        }));
        return summary;
    }

    /// <summary>Expected failures (bad input, missing or damaged files, no libtorch) are one line and exit code 2, never a stack trace.</summary>
    internal static int Guarded(Func<int> action)
    {
        try
        {
            return action();
        }
        catch (TrainingDiverged e)
        {
            Console.Error.WriteLine($"error: {e.Message}");
            return ExitCodes.Diverged;
        }
        catch (RunFolderWriteFailed e)
        {
            Console.Error.WriteLine($"error: {e.Message}");
            return ExitCodes.WriteFailed;
        }
        catch (Exception e) when (e is UserError or FileNotFoundException or DirectoryNotFoundException or InvalidDataException)
        {
            Console.Error.WriteLine($"error: {e.Message.ReplaceLineEndings("; ")}");
            return 2;
        }
    }

    internal static string Quote(string arg) =>
        arg.Length > 0 && arg.All(c => char.IsLetterOrDigit(c) || "-_./=:,+@%".Contains(c)) ? arg : "'" + arg.Replace("'", "'\\''") + "'";
}
