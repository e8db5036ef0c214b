#nullable enable
// Compiled by MSBuild's RoslynCodeTaskFactory from Mnist.Dsl.TorchSharp.targets (so it needs no assembly of its own), by the
// tests, and without the task (MNIST_DSL_NO_MSBUILD) by Mnist.Dsl.Training, whose load error says whether the
// library still needs this patch. Keep it to netstandard2.0 APIs and one file.
using System;
using System.IO;
using System.Text;
#if !MNIST_DSL_NO_MSBUILD
using Microsoft.Build.Framework;
using Microsoft.Build.Utilities;
#endif

#if !MNIST_DSL_NO_MSBUILD
/// <summary>
/// Makes TorchSharp 0.107's libLibTorchSharp.so load where the system libstdc++ predates GCC 13 (Debian 12,
/// Ubuntu 22.04): the library was built with GCC 13, whose &lt;iostream&gt; calls std::ios_base_library_init()
/// (version GLIBCXX_3.4.32) from every static initialiser. Older libstdc++ initialises its streams by itself and
/// has no such function, so the loader refuses the whole library ("GLIBCXX_3.4.32 not found").
/// <para>
/// The patch edits the copy in the build output, never the package cache, in three byte edits and no new file:
/// the GLIBCXX_3.4.32 requirement is marked weak (a missing weak version is not an error), the one symbol that
/// needs it loses its version, and its name is rewritten to <c>getpagesize</c>, a libc function that takes no
/// argument and does nothing, so each call from a static initialiser stays the no-op it would be on the old
/// library. It is written to a temporary file and renamed over the original (a hard link into the package
/// cache is broken, not written through). It runs only when the library needs GLIBCXX_3.4.32 and the system
/// libstdc++ lacks it, refuses a library that needs any other symbol of that version, and a second run
/// finds nothing to do.
/// </para>
/// </summary>
public sealed class PatchLibTorchSharpForOlderLibstdcxx : Task
{
    /// <summary>Folder searched (recursively) for libLibTorchSharp.so: the build or publish output.</summary>
    [Required]
    public string Directory { get; set; } = "";

    /// <summary>The libstdc++ the loader will use; empty: the first of the usual Linux paths that exists.</summary>
    public string SystemLibstdcxx { get; set; } = "";

    public override bool Execute()
    {
        if (!System.IO.Directory.Exists(Directory)) return true;
        var libstdcxx = SystemLibstdcxx.Length > 0 ? SystemLibstdcxx : Libstdcxx.FindSystem();
        if (libstdcxx is null) return true;
        if (Libstdcxx.Provides(libstdcxx, Glibcxx.Version)) return true;
        foreach (var library in System.IO.Directory.GetFiles(Directory, "libLibTorchSharp.so", SearchOption.AllDirectories))
        {
            try
            {
                var outcome = Glibcxx.Patch(library);
                if (outcome == Glibcxx.Outcome.Patched)
                    Log.LogMessage(MessageImportance.High,
                        $"Mnist.Dsl: patched {library} to load on {libstdcxx}, which lacks {Glibcxx.Version} (std::ios_base_library_init is a " +
                            $"no-op there)");
            }
            catch (InvalidDataException e)
            {
                Log.LogWarning($"Mnist.Dsl: {library} was left as it is and will not load on {libstdcxx}: {e.Message}");
            }
        }
        return !Log.HasLoggedErrors;
    }
}
#endif

/// <summary>Which libstdc++ the system has and whether it defines a symbol version.</summary>
internal static class Libstdcxx
{
    private static readonly string[] Candidates =
    {
        "/lib/x86_64-linux-gnu/libstdc++.so.6", "/usr/lib/x86_64-linux-gnu/libstdc++.so.6",
        "/usr/lib64/libstdc++.so.6", "/lib64/libstdc++.so.6", "/usr/lib/libstdc++.so.6",
    };

    public static string? FindSystem()
    {
        foreach (var path in Candidates) if (File.Exists(path)) return path;
        return null;
    }

    /// <summary>True when the library's bytes hold the version name as a whole string (NUL before and after).</summary>
    public static bool Provides(string path, string version)
    {
        var bytes = File.ReadAllBytes(path);
        var needle = Encoding.ASCII.GetBytes("\0" + version + "\0");
        for (var i = 0; i + needle.Length <= bytes.Length; i++)
        {
            var j = 0;
            while (j < needle.Length && bytes[i + j] == needle[j]) j++;
            if (j == needle.Length) return true;
        }
        return false;
    }
}

/// <summary>The ELF edit itself (64-bit little-endian shared objects, through their section headers).</summary>
internal static class Glibcxx
{
    public const string Version = "GLIBCXX_3.4.32";
    public const string Symbol = "_ZSt21ios_base_library_initv";
    public const string Replacement = "getpagesize";

    public enum Outcome { Patched, NothingToDo }

    private const uint DynSym = 11, VerNeed = 0x6ffffffe, VerSym = 0x6fffffff;
    private const ushort WeakVersion = 0x2, GlobalVersionIndex = 1;

    /// <summary>True when the library at <paramref name="path"/> needs the version and has not been patched yet.</summary>
    public static bool NeedsPatch(string path) => Patch(File.ReadAllBytes(path)) == Outcome.Patched;

    public static Outcome Patch(string path)
    {
        var elf = File.ReadAllBytes(path);
        if (Patch(elf) == Outcome.NothingToDo) return Outcome.NothingToDo;
        // Same size and time stamp as the package's file: MSBuild's incremental copy then keeps the patched one.
        var stamp = File.GetLastWriteTimeUtc(path);
        var temporary = path + ".patching";
        File.WriteAllBytes(temporary, elf);
        File.SetLastWriteTimeUtc(temporary, stamp);
        File.Delete(path);
        File.Move(temporary, path);
        return Outcome.Patched;
    }

    /// <summary>Edits the image in place; NothingToDo when it does not need the version, or is patched already.</summary>
    public static Outcome Patch(byte[] elf)
    {
        if (elf.Length < 64 || elf[0] != 0x7f || elf[1] != (byte)'E' || elf[2] != (byte)'L' || elf[3] != (byte)'F')
            throw new InvalidDataException("not an ELF file");
        if (elf[4] != 2 || elf[5] != 1) throw new InvalidDataException("not a 64-bit little-endian ELF file");

        var sectionTable = checked((int)U64(elf, 0x28));
        var entrySize = U16(elf, 0x3A);
        var count = U16(elf, 0x3C);
        int dynsym = -1, versym = -1, verneed = -1;
        for (var i = 0; i < count; i++)
        {
            var type = U32(elf, sectionTable + i * entrySize + 4);
            if (type == DynSym) dynsym = sectionTable + i * entrySize;
            else if (type == VerSym) versym = sectionTable + i * entrySize;
            else if (type == VerNeed) verneed = sectionTable + i * entrySize;
        }
        if (dynsym < 0 || versym < 0 || verneed < 0) return Outcome.NothingToDo;
        var strings = sectionTable + (int)U32(elf, dynsym + 40) * entrySize;
        var stringsAt = Offset(elf, strings);

        // The GLIBCXX_3.4.32 entry among the versions the library needs, and the index its symbols carry.
        var versionEntry = -1;
        ushort versionIndex = 0;
        var need = Offset(elf, verneed);
        for (var n = 0; n < (int)U32(elf, verneed + 44); n++)
        {
            var aux = need + (int)U32(elf, need + 8);
            for (var a = 0; a < U16(elf, need + 2); a++)
            {
                if (Name(elf, stringsAt + (int)U32(elf, aux + 8)) == Version) { versionEntry = aux; versionIndex = U16(elf, aux + 6); }
                aux += (int)U32(elf, aux + 12);
            }
            need += (int)U32(elf, need + 12);
        }
        if (versionEntry < 0) return Outcome.NothingToDo;

        var symbols = Offset(elf, dynsym);
        var symbolCount = (int)(U64(elf, dynsym + 32) / 24);
        var versions = Offset(elf, versym);
        var changed = false;
        for (var s = 0; s < symbolCount; s++)
        {
            var versionAt = versions + s * 2;
            if ((U16(elf, versionAt) & 0x7fff) != versionIndex) continue;
            var nameAt = stringsAt + (int)U32(elf, symbols + s * 24);
            var name = Name(elf, nameAt);
            if (name != Symbol)
                throw new InvalidDataException($"it needs {name} from {Version}, which no older libstdc++ has; only {Symbol} can be done without");
            EnsureNotShared(elf, symbols, symbolCount, stringsAt, nameAt, Symbol.Length);
            WriteName(elf, nameAt, Symbol.Length, Replacement);
            Put16(elf, versionAt, GlobalVersionIndex);
            changed = true;
        }
        var flags = U16(elf, versionEntry + 4);
        if ((flags & WeakVersion) == 0) { Put16(elf, versionEntry + 4, (ushort)(flags | WeakVersion)); changed = true; }
        return changed ? Outcome.Patched : Outcome.NothingToDo;
    }

    /// <summary>A linker may let one name be the tail of another; renaming would then rename both.</summary>
    private static void EnsureNotShared(byte[] elf, int symbols, int count, int stringsAt, int nameAt, int length)
    {
        for (var s = 0; s < count; s++)
        {
            var other = stringsAt + (int)U32(elf, symbols + s * 24);
            if (other > nameAt && other <= nameAt + length)
                throw new InvalidDataException($"the name {Symbol} is shared with another symbol's");
        }
    }

    private static void WriteName(byte[] elf, int at, int oldLength, string name)
    {
        var bytes = Encoding.ASCII.GetBytes(name);
        Array.Copy(bytes, 0, elf, at, bytes.Length);
        for (var i = bytes.Length; i < oldLength; i++) elf[at + i] = 0;
    }

    private static int Offset(byte[] elf, int section) => checked((int)U64(elf, section + 24));

    private static string Name(byte[] elf, int at)
    {
        var end = at;
        while (end < elf.Length && elf[end] != 0) end++;
        return Encoding.ASCII.GetString(elf, at, end - at);
    }

    private static ushort U16(byte[] b, int at) => (ushort)(b[at] | b[at + 1] << 8);

    private static uint U32(byte[] b, int at) => (uint)(b[at] | b[at + 1] << 8 | b[at + 2] << 16 | b[at + 3] << 24);

    private static ulong U64(byte[] b, int at) => U32(b, at) | (ulong)U32(b, at + 4) << 32;

    private static void Put16(byte[] b, int at, ushort value) { b[at] = (byte)value; b[at + 1] = (byte)(value >> 8); }
}
