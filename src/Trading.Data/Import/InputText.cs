using System.Buffers.Binary;
using System.IO.Compression;
using System.IO.Hashing;
using System.Text;
using System.Text.Unicode;
using Trading.Data.Text;

namespace Trading.Data.Import;

/// <summary>
/// A file-level input problem (unreadable bytes, a damaged .gz, an empty or special file): the whole file is
/// refused. Names the file and the line reached.
/// </summary>
public sealed class InputFileException(string file, long line, string detail)
    : IOException($"{Printable.Escape(file)}:{line}: {detail}")
{
    public string File { get; } = file;
    public long Line { get; } = line;
    public string Detail { get; } = detail;
}

/// <summary>
/// Decodes an input file in one pass, detecting its encoding as it goes. A BOM decides (UTF-8, UTF-16); without
/// one the text is taken as ASCII until the first non-ASCII bytes, and those decide: valid UTF-8 → UTF-8, else
/// valid GB18030 (GBK is a subset; what Chinese vendors ship) → GB18030, reported through
/// <see cref="EncodingDecided"/>; neither → an <see cref="InputFileException"/> naming the byte offset and line.
/// Since both encodings agree on ASCII, nothing read before the decision needs decoding again. After the decision
/// decoding is strict: bytes invalid in the chosen encoding are an error, never replacement characters or mojibake.
/// </summary>
public sealed class InputText : TextReader
{
    private enum Mode { Undecided, Utf8, Gb18030, Utf16Le, Utf16Be }

    private static readonly Encoding Gb18030 = LoadGb18030();

    private readonly Stream _stream;
    private readonly string _file;
    private readonly byte[] _bytes = new byte[1 << 16];
    private int _byteStart, _byteEnd;
    private long _bytesBefore; // stream offset of _bytes[0]
    private bool _eof, _started;
    private readonly char[] _chars = new char[(1 << 16) + 8];
    private int _charPos, _charEnd;
    private long _newlines; // '\n' in the characters handed out or buffered
    private Mode _mode;
    private Decoder? _decoder;

    public InputText(Stream stream, string displayName)
    {
        _stream = stream;
        _file = displayName;
    }

    /// <summary>Called once if the file turns out to be GB18030 (with the line where that was found).</summary>
    public Action<string, long>? EncodingDecided { get; init; }

    /// <summary>"UTF-8", "UTF-8 (BOM)", "GB18030", "UTF-16" or "ASCII" (so far: nothing but ASCII).</summary>
    public string EncodingName { get; private set; } = "ASCII";

    /// <summary>The line the decoder has reached (1-based; the CSV parser may be behind it by its buffer).</summary>
    public long LineReached => _newlines + 1;

    private static Encoding LoadGb18030()
    {
        Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);
        return Encoding.GetEncoding(54936, EncoderFallback.ExceptionFallback, DecoderFallback.ExceptionFallback);
    }

    public override int Peek()
    {
        if (_charPos == _charEnd && !Fill()) return -1;
        return _chars[_charPos];
    }

    public override int Read()
    {
        if (_charPos == _charEnd && !Fill()) return -1;
        return _chars[_charPos++];
    }

    public override int Read(char[] buffer, int index, int count) => Read(buffer.AsSpan(index, count));

    public override int Read(Span<char> buffer)
    {
        if (buffer.IsEmpty) return 0;
        if (_charPos == _charEnd && !Fill()) return 0;
        int n = Math.Min(buffer.Length, _charEnd - _charPos);
        _chars.AsSpan(_charPos, n).CopyTo(buffer);
        _charPos += n;
        return n;
    }

    public override int ReadBlock(Span<char> buffer)
    {
        int total = 0, n;
        while (total < buffer.Length && (n = Read(buffer[total..])) > 0) total += n;
        return total;
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing) _stream.Dispose();
        base.Dispose(disposing);
    }

    /// <summary>Decodes the next characters; false at the end of the file.</summary>
    private bool Fill()
    {
        _charPos = _charEnd = 0;
        if (!_started) Start();
        bool starved = false; // the bytes held are an incomplete character: read more before decoding again
        while (true)
        {
            if (_byteStart == _byteEnd || starved)
            {
                if (_eof)
                {
                    Decode(_bytes.AsSpan(_byteStart, _byteEnd - _byteStart), final: true); // throws on a character cut short
                    _byteStart = _byteEnd;
                    return _charEnd > 0;
                }
                ReadMore();
                starved = false;
            }
            int before = _byteStart;
            Decode(_bytes.AsSpan(_byteStart, _byteEnd - _byteStart), final: _eof);
            if (_charEnd > 0) return true;
            if (_byteStart == before) starved = true;
        }
    }

    private void Start()
    {
        _started = true;
        while (!_eof && _byteEnd < 4) ReadMore();
        var head = _bytes.AsSpan(0, _byteEnd);
        if (head.StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF])) { _byteStart = 3; _mode = Mode.Utf8; EncodingName = "UTF-8 (BOM)"; }
        else if (head.StartsWith((ReadOnlySpan<byte>)[0xFF, 0xFE])) { _byteStart = 2; SetDecoder(Mode.Utf16Le, new UnicodeEncoding(false, false, true)); }
        else if (head.StartsWith((ReadOnlySpan<byte>)[0xFE, 0xFF])) { _byteStart = 2; SetDecoder(Mode.Utf16Be, new UnicodeEncoding(true, false, true)); }
    }

    private void SetDecoder(Mode mode, Encoding encoding)
    {
        _mode = mode;
        _decoder = encoding.GetDecoder();
        EncodingName = mode == Mode.Gb18030 ? "GB18030" : "UTF-16";
    }

    /// <summary>Moves unread bytes to the front and reads more after them.</summary>
    private void ReadMore()
    {
        if (_byteStart > 0)
        {
            int left = _byteEnd - _byteStart;
            _bytes.AsSpan(_byteStart, left).CopyTo(_bytes);
            _bytesBefore += _byteStart;
            _byteStart = 0;
            _byteEnd = left;
        }
        int n;
        try
        {
            n = _stream.Read(_bytes, _byteEnd, _bytes.Length - _byteEnd);
        }
        catch (Exception e) when (e is IOException or InvalidDataException)
        {
            throw new InputFileException(_file, LineReached, $"cannot read the file: {e.Message}");
        }
        if (n == 0) _eof = true;
        _byteEnd += n;
    }

    private void Decode(ReadOnlySpan<byte> src, bool final)
    {
        var dst = _chars.AsSpan();
        if (_decoder is null)
        {
            var status = Utf8.ToUtf16(src, dst, out int read, out int written, replaceInvalidSequences: false, isFinalBlock: final);
            if (status == System.Buffers.OperationStatus.InvalidData)
            {
                if (_mode == Mode.Undecided && TryGb18030(src, final)) return;
                Produced(written);
                throw new InputFileException(_file, LineReached,
                    $"byte offset {_bytesBefore + _byteStart + read}: the file is neither valid UTF-8 nor GB18030 (GBK); save it as UTF-8");
            }
            if (_mode == Mode.Undecided && written < read) { _mode = Mode.Utf8; EncodingName = "UTF-8"; }
            _byteStart += read;
            Produced(written);
            if (status == System.Buffers.OperationStatus.NeedMoreData && _eof && _byteStart < _byteEnd)
                throw new InputFileException(_file, LineReached,
                    $"byte offset {_bytesBefore + _byteStart}: the file ends inside a UTF-8 character (truncated?)");
            return;
        }
        try
        {
            _decoder.Convert(src, dst, final, out int used, out int chars, out _);
            _byteStart += used;
            Produced(chars);
        }
        catch (DecoderFallbackException e)
        {
            throw new InputFileException(_file, LineReached,
                $"near byte offset {_bytesBefore + _byteStart + Math.Max(0, e.Index)}: bytes that are not valid {EncodingName}");
        }
    }

    /// <summary>Undecided and not UTF-8: tries GB18030 from the first non-ASCII byte on; true when it decodes.</summary>
    private bool TryGb18030(ReadOnlySpan<byte> src, bool final)
    {
        int k = src.IndexOfAnyExceptInRange((byte)0, (byte)0x7F);
        if (k < 0) return false;
        var decoder = Gb18030.GetDecoder();
        try
        {
            // Check the rest of this block first, without touching the output.
            var probe = Gb18030.GetDecoder();
            probe.GetCharCount(src[k..], final);
        }
        catch (DecoderFallbackException)
        {
            return false;
        }
        long line = _newlines + src[..k].Count((byte)'\n') + 1; // where the first non-ASCII text is
        int ascii = Encoding.ASCII.GetChars(src[..k], _chars);
        decoder.Convert(src[k..], _chars.AsSpan(ascii), final, out int used, out int chars, out _);
        _mode = Mode.Gb18030;
        _decoder = decoder;
        EncodingName = "GB18030";
        _byteStart += k + used;
        Produced(ascii + chars);
        EncodingDecided?.Invoke(EncodingName, line);
        return true;
    }

    private void Produced(int chars)
    {
        _newlines += _chars.AsSpan(0, chars).Count('\n');
        _charEnd = chars;
        _charPos = 0;
    }
}

/// <summary>
/// Reads a .gz file and checks its gzip trailer (CRC-32 and length of the data) at the end: .NET's GZipStream
/// ends quietly on a file cut short, which would import half a file as if it were whole.
/// </summary>
internal sealed class CheckedGzipStream : Stream
{
    private readonly GZipStream _inner;
    private readonly uint _crc, _size;
    private readonly Crc32 _hash = new();
    private long _length;
    private bool _done;

    public CheckedGzipStream(FileStream file)
    {
        if (file.Length < 18) throw new InvalidDataException("the .gz file is shorter than a gzip header and trailer (truncated)");
        Span<byte> trailer = stackalloc byte[8];
        file.Seek(-8, SeekOrigin.End);
        file.ReadExactly(trailer);
        file.Seek(0, SeekOrigin.Begin);
        _crc = BinaryPrimitives.ReadUInt32LittleEndian(trailer);
        _size = BinaryPrimitives.ReadUInt32LittleEndian(trailer[4..]);
        _inner = new GZipStream(file, CompressionMode.Decompress);
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        int n;
        try
        {
            n = _inner.Read(buffer);
        }
        catch (InvalidDataException e)
        {
            throw new InvalidDataException($"damaged gzip data after {_length} bytes ({e.Message})", e);
        }
        if (n > 0)
        {
            _hash.Append(buffer[..n]);
            _length += n;
        }
        else if (!buffer.IsEmpty && !_done)
        {
            _done = true;
            if (_hash.GetCurrentHashAsUInt32() != _crc || (uint)_length != _size)
                throw new InvalidDataException($"the gzip data ends after {_length} bytes without a matching checksum: the file is truncated or damaged (or holds several gzip members; recompress it with gzip)");
        }
        return n;
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing) _inner.Dispose();
        base.Dispose(disposing);
    }

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => _length; set => throw new NotSupportedException(); }
    public override void Flush() { }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
