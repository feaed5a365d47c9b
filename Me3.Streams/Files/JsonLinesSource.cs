using System.Buffers;
using Akka.Streams;
using Akka.Streams.Stage;
using Me3.Streams.Events;

namespace Me3.Streams.Files;

/// <summary>
/// Reads a JSON-lines file as blocks of source records: partition 0, offset = 0-based line number, record time = the
/// file's last write time (so re-runs put records without their own timestamp in the same <c>dt</c>). A UTF-8 byte
/// order mark is skipped, a trailing <c>\r</c> is removed, and every other line, even a blank one, is a record:
/// nothing is skipped silently. A block is one read of the file with its complete lines as slices, so there is no
/// allocation per line.
/// <para><b>Emits when</b> downstream pulls and a block of lines is read.</para>
/// <para><b>Backpressures when</b> downstream does not pull: the file is read only on demand.</para>
/// <para><b>Completes when</b> the end of the file is reached, after one last block without records that says how
/// many it read (the lake writer checks that the lake holds no line the file does not have).</para>
/// <para><b>Fails when</b> the file cannot be read, or a line is longer than <see cref="MaxLineBytes"/>.</para>
/// Reads are short sequential 64 KiB reads on the stream's dispatcher: an island of its own on the blocking-IO
/// dispatcher measured slower. Add <c>ActorAttributes.CreateDispatcher(...)</c> to move it where reads may block
/// long (network file systems).
/// </summary>
internal sealed class JsonLinesSource : GraphStage<SourceShape<RecordBlock>>
{
    /// <summary>The longest line accepted: 64 MiB.</summary>
    public const int MaxLineBytes = 64 * 1024 * 1024;

    // Small enough to stay off the large-object heap: blocks die young once the writer has copied their lines.
    private const int BlockBytes = 64 * 1024;

    private readonly string _path;
    private readonly string _source;

    public JsonLinesSource(string path, string source)
    {
        _path = path;
        _source = source;
        Shape = new SourceShape<RecordBlock>(Out);
    }

    public Outlet<RecordBlock> Out { get; } = new("JsonLinesSource.out");

    public override SourceShape<RecordBlock> Shape { get; }

    protected override Attributes InitialAttributes { get; } =
        Attributes.CreateName("jsonLinesSource");

    protected override GraphStageLogic CreateLogic(Attributes inheritedAttributes) => new Logic(this);

    /// <summary>The UTF-8 byte order mark some editors put at the start of a file: no part of the first record.</summary>
    private static ReadOnlySpan<byte> ByteOrderMark => "\uFEFF"u8;

    /// <summary>
    /// The records the source reads from <paramref name="path"/>, counted by reading it separately: every line
    /// feed ends one, and bytes after the last one are one more; a leading UTF-8 byte order mark is no record.
    /// </summary>
    internal static long CountRecords(string path)
    {
        using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 1, FileOptions.SequentialScan);
        var buffer = ArrayPool<byte>.Shared.Rent(1 << 20);
        try
        {
            long lineFeeds = 0;
            long bytes = 0;
            var last = (byte)'\n';
            int n;
            while ((n = file.Read(buffer, 0, buffer.Length)) > 0)
            {
                var span = buffer.AsSpan(0, n);
                if (bytes == 0 && span.StartsWith(ByteOrderMark))
                {
                    span = span[ByteOrderMark.Length..];
                }

                lineFeeds += span.Count((byte)'\n');
                bytes += n;
                last = span.IsEmpty ? last : span[^1];
            }

            return lineFeeds + (last != '\n' ? 1 : 0);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    [System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1001", Justification = "A stage logic releases its resources in PostStop, which Akka always calls.")]
    private sealed class Logic : GraphStageLogic
    {
        private readonly JsonLinesSource _stage;
        private FileStream? _file;
        private FileExtent? _extent;
        private bool _endSent;
        private DateTime _fileTime;
        private byte[] _block = [];
        private int _start;
        private int _end;
        private bool _eof;
        private long _line;

        public Logic(JsonLinesSource stage)
            : base(stage.Shape)
        {
            _stage = stage;
            SetHandler(stage.Out, onPull: OnPull);
        }

        public override void PreStart()
        {
            try
            {
                _file = new FileStream(_stage._path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 1, FileOptions.SequentialScan);
                _fileTime = File.GetLastWriteTimeUtc(_stage._path);

                // A pipe cannot be read twice: its records are counted only as they are read.
                var path = _stage._path;
                _extent = new FileExtent(_stage._source, path, _file.CanSeek ? () => CountRecords(path) : () => null);
                _block = new byte[BlockBytes];
                _end = ReadInto(_block, 0);
                if (_block.AsSpan(0, _end).StartsWith(ByteOrderMark))
                {
                    _start = ByteOrderMark.Length;
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
            {
                FailStage(new Me3Exception($"Cannot read '{_stage._path}': {e.Message}", e, source: _stage._source, file: _stage._path));
            }
        }

        public override void PostStop() => _file?.Dispose();

        private void OnPull()
        {
            try
            {
                if (NextBlock() is { } block)
                {
                    Push(_stage.Out, block);
                }
                else if (!_endSent)
                {
                    _endSent = true;
                    Push(_stage.Out, RecordBlock.EndOf(_extent!, _line));
                }
                else
                {
                    CompleteStage();
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                FailStage(new Me3Exception($"Reading '{_stage._path}' failed at line {_line}: {e.Message}", e,
                    source: _stage._source, partition: 0, offset: _line, file: _stage._path));
            }
        }

        /// <summary>Every complete line of the current read (reading more when there is none), or null at the end.</summary>
        private RecordBlock? NextBlock()
        {
            while (true)
            {
                var span = _block.AsSpan(_start, _end - _start);
                var lines = span.Count((byte)'\n');
                if (_eof && _start < _end && (lines == 0 || span[^1] != '\n'))
                {
                    lines++; // the last line has no newline
                }

                if (lines > 0)
                {
                    var entries = new RecordBlock.Entry[lines];
                    for (var n = 0; n < lines; n++)
                    {
                        var newline = _block.AsSpan(_start, _end - _start).IndexOf((byte)'\n');
                        var end = newline < 0 ? _end : _start + newline;
                        entries[n] = new RecordBlock.Entry(_stage._source, 0, _line++, _fileTime, Slice(_start, end));
                        _start = newline < 0 ? _end : end + 1;
                    }

                    return new RecordBlock(entries, lines, committer: null, _extent);
                }

                if (_eof)
                {
                    return null;
                }

                ReadMore();
            }
        }

        private ReadOnlyMemory<byte> Slice(int start, int end)
        {
            if (end > start && _block[end - 1] == '\r')
            {
                end--;
            }

            return new ReadOnlyMemory<byte>(_block, start, end - start);
        }

        /// <summary>Moves the unfinished line into a fresh block (earlier lines stay referenced by emitted records) and reads on.</summary>
        private void ReadMore()
        {
            var pending = _end - _start;
            if (pending >= MaxLineBytes)
            {
                throw new IOException($"line {_line} is longer than {MaxLineBytes} bytes");
            }

            var size = pending < BlockBytes / 2 ? BlockBytes : pending * 2;
            var next = new byte[Math.Min(size, MaxLineBytes + 1)];
            _block.AsSpan(_start, pending).CopyTo(next);
            _block = next;
            _start = 0;
            _end = pending;
            _end += ReadInto(_block, _end);
        }

        private int ReadInto(byte[] buffer, int offset)
        {
            var total = 0;
            while (offset + total < buffer.Length)
            {
                var n = _file!.Read(buffer, offset + total, buffer.Length - offset - total);
                if (n == 0)
                {
                    _eof = true;
                    break;
                }

                total += n;
            }

            return total;
        }
    }
}
