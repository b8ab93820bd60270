using System.Collections;
using System.Data.Common;
using System.Globalization;
using System.Text;
using Sylvan.Data.Csv;

namespace Trading.Data.Csv;

/// <summary>
/// Writes CSV files through Sylvan's <see cref="CsvDataWriter"/> (the library that reads them here): any field holding
/// a comma, a quote or a line break is quoted with its quotes doubled, ordinary fields are written as they are, lines
/// end in "\n", UTF-8 without a byte-order mark. Callers format their values (invariant culture) and pass text, so
/// the bytes of ordinary values are exactly what they were when rows were joined by hand.
/// </summary>
public static class CsvTable
{
    public static void Write(string path, IReadOnlyList<string> header, IEnumerable<string?[]> rows)
    {
        using var writer = new StreamWriter(path, false, new UTF8Encoding(false));
        Write(writer, header, rows);
    }

    public static void Write(TextWriter writer, IReadOnlyList<string> header, IEnumerable<string?[]> rows)
    {
        using var reader = new RowReader(header, rows);
        // MaxBufferSize: a row may be long (a journal event's JSON with a thousand prices); Sylvan's default refuses it.
        using var csv = CsvDataWriter.Create(writer, new CsvDataWriterOptions { NewLine = "\n", Culture = CultureInfo.InvariantCulture, MaxBufferSize = 64 << 20 });
        csv.Write(reader);
        writer.Flush();
    }

    /// <summary>The data reader CsvDataWriter takes: text columns over rows of strings (null writes as an empty field).</summary>
    private sealed class RowReader(IReadOnlyList<string> header, IEnumerable<string?[]> rows) : DbDataReader, IDbColumnSchemaGenerator
    {
        public System.Collections.ObjectModel.ReadOnlyCollection<DbColumn> GetColumnSchema() =>
            header.Select((name, i) => (DbColumn)new TextColumn(name, i)).ToList().AsReadOnly();

        private sealed class TextColumn : DbColumn
        {
            public TextColumn(string name, int ordinal)
            {
                ColumnName = name;
                ColumnOrdinal = ordinal;
                DataType = typeof(string);
                DataTypeName = "string";
                AllowDBNull = true;
            }
        }

        private readonly IEnumerator<string?[]> _rows = rows.GetEnumerator();
        private string?[] _row = [];
        private bool _closed;

        public override bool Read()
        {
            if (!_rows.MoveNext()) return false;
            _row = _rows.Current;
            if (_row.Length != header.Count)
                throw new InvalidOperationException($"A CSV row has {_row.Length} fields where the header has {header.Count}.");
            return true;
        }

        public override int FieldCount => header.Count;
        public override string GetName(int ordinal) => header[ordinal];
        public override int GetOrdinal(string name) => header.ToList().IndexOf(name);
        public override Type GetFieldType(int ordinal) => typeof(string);
        public override string GetDataTypeName(int ordinal) => "string";
        public override bool IsDBNull(int ordinal) => _row[ordinal] is null;
        public override string GetString(int ordinal) => _row[ordinal] ?? "";
        public override object GetValue(int ordinal) => (object?)_row[ordinal] ?? DBNull.Value;

        public override int GetValues(object[] values)
        {
            int n = Math.Min(values.Length, FieldCount);
            for (int i = 0; i < n; i++) values[i] = GetValue(i);
            return n;
        }

        public override long GetChars(int ordinal, long dataOffset, char[]? buffer, int bufferOffset, int length)
        {
            var s = GetString(ordinal);
            if (buffer is null) return s.Length;
            int n = (int)Math.Max(0, Math.Min(length, s.Length - dataOffset));
            s.CopyTo((int)dataOffset, buffer, bufferOffset, n);
            return n;
        }

        public override object this[int ordinal] => GetValue(ordinal);
        public override object this[string name] => GetValue(GetOrdinal(name));
        public override int Depth => 0;
        public override bool HasRows => true;
        public override bool IsClosed => _closed;
        public override int RecordsAffected => -1;
        public override bool NextResult() => false;
        public override IEnumerator GetEnumerator() => new DbEnumerator(this);

        public override void Close()
        {
            _closed = true;
            _rows.Dispose();
        }

        public override bool GetBoolean(int ordinal) => throw new NotSupportedException();
        public override byte GetByte(int ordinal) => throw new NotSupportedException();
        public override long GetBytes(int ordinal, long dataOffset, byte[]? buffer, int bufferOffset, int length) => throw new NotSupportedException();
        public override char GetChar(int ordinal) => throw new NotSupportedException();
        public override DateTime GetDateTime(int ordinal) => throw new NotSupportedException();
        public override decimal GetDecimal(int ordinal) => throw new NotSupportedException();
        public override double GetDouble(int ordinal) => throw new NotSupportedException();
        public override float GetFloat(int ordinal) => throw new NotSupportedException();
        public override Guid GetGuid(int ordinal) => throw new NotSupportedException();
        public override short GetInt16(int ordinal) => throw new NotSupportedException();
        public override int GetInt32(int ordinal) => throw new NotSupportedException();
        public override long GetInt64(int ordinal) => throw new NotSupportedException();
    }
}
