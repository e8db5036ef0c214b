// The .NET startup hook the no-native-library test loads into the sample's process (DOTNET_STARTUP_HOOKS names this
// assembly): it writes the process's memory map, /proc/self/maps, to the file MNIST_DSL_MAPS_DUMP names when the
// process exits, so the test sees every library the whole run mapped. The runtime looks for a type StartupHook in no
// namespace with a static Initialize().
namespace global

open System
open System.IO

type StartupHook =
    static member Initialize() : unit =
        match Environment.GetEnvironmentVariable "MNIST_DSL_MAPS_DUMP" with
        | null
        | "" -> ()
        | target -> AppDomain.CurrentDomain.ProcessExit.Add(fun _ -> File.WriteAllText(target, File.ReadAllText "/proc/self/maps"))
