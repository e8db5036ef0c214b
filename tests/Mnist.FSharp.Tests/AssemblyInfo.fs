module Mnist.FSharp.Tests.AssemblyInfo

open Xunit

// Building a network draws its initial weights from libtorch's global generator, which the training tests seed:
// tests running in parallel would change each other's numbers. The whole assembly runs in well under a minute.
[<assembly: CollectionBehavior(DisableTestParallelization = true)>]
do ()
