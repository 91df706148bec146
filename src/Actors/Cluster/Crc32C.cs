using System.Buffers.Binary;
using System.Runtime.Intrinsics.X86;

namespace ActorRL.Actors.Cluster;

/// <summary>
/// CRC-32C (Castagnoli, the checksum of iSCSI, ext4 and Kafka): what a weights chunk carries to be verified on arrival.
/// It detects the corruption a transfer can cause at a small fraction of a cryptographic hash's cost — with SSE4.2 the
/// processor computes it 8 bytes per instruction — which matters when a policy's weights cross the broker every step.
/// </summary>
public static class Crc32C
{
    private const uint Polynomial = 0x82F63B78; // reflected 0x1EDC6F41
    private static readonly uint[] Table = BuildTable();

    /// <summary>The CRC-32C of <paramref name="data"/>.</summary>
    public static uint Compute(ReadOnlySpan<byte> data) => Append(0, data);

    /// <summary>The CRC-32C of the bytes <paramref name="crc"/> was computed over followed by <paramref name="data"/>.</summary>
    public static uint Append(uint crc, ReadOnlySpan<byte> data)
    {
        uint state = ~crc;
        if (Sse42.X64.IsSupported)
        {
            ulong wide = state;
            while (data.Length >= 8)
            {
                wide = Sse42.X64.Crc32(wide, BinaryPrimitives.ReadUInt64LittleEndian(data));
                data = data[8..];
            }
            state = (uint)wide;
        }
        if (Sse42.IsSupported)
        {
            foreach (byte b in data) state = Sse42.Crc32(state, b);
            return ~state;
        }
        return ~Software(state, data);
    }

    /// <summary>The table-driven computation, one byte at a time (processors without SSE4.2, and the tests' reference).</summary>
    internal static uint AppendSoftware(uint crc, ReadOnlySpan<byte> data) => ~Software(~crc, data);

    private static uint Software(uint state, ReadOnlySpan<byte> data)
    {
        foreach (byte b in data) state = Table[(state ^ b) & 0xff] ^ (state >> 8);
        return state;
    }

    private static uint[] BuildTable()
    {
        var table = new uint[256];
        for (uint i = 0; i < 256; i++)
        {
            uint c = i;
            for (int k = 0; k < 8; k++) c = (c & 1) != 0 ? (c >> 1) ^ Polynomial : c >> 1;
            table[i] = c;
        }
        return table;
    }
}
