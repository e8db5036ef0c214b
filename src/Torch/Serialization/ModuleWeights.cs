using System.Collections.Generic;
using Mnist.Torch.Serialization;

namespace Mnist.Torch;

public static partial class torch
{
    public static partial class nn
    {
        public abstract partial class Module
        {
            /// <summary>Writes the state dict as a safetensors file, atomically.</summary>
            public Module save(string path, IReadOnlyDictionary<string, string>? metadata = null)
            {
                SafeTensors.Save(state_dict(), path, metadata);
                return this;
            }

            /// <summary>
            /// Loads a safetensors file written by <see cref="save"/> or by PyTorch. Names, shapes and dtypes
            /// are checked first; a file of another model throws one error listing every difference.
            /// </summary>
            public Module load(string path, bool strict = true)
            {
                using var scope = NewDisposeScope();
                var tensors = SafeTensors.Load(path);
                try
                {
                    load_state_dict(tensors, strict);
                }
                catch (System.ArgumentException e)
                {
                    throw new System.IO.InvalidDataException($"{path} does not hold weights for this {GetName()}: {e.Message}", e);
                }
                return this;
            }
        }
    }
}
