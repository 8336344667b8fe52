namespace Rewire.Core.Stats;

/// <summary>
/// A dense, row-major <c>[Rows, Cols]</c> matrix of doubles: the token-level tensor of the advantage layer
/// (<c>[B, L]</c>: B responses, L response positions). <see cref="Data"/> is the flat backing array, so a trainer can
/// hand its flat buffers over without a copy; <see cref="Row(int)"/> gives a span over one response.
/// </summary>
public sealed class TokenMatrix
{
    /// <summary>A zero-filled matrix.</summary>
    public TokenMatrix(int rows, int cols)
    {
        if (rows < 0 || cols < 0) throw new ArgumentOutOfRangeException(nameof(rows), $"Matrix shape [{rows}, {cols}] is invalid; rows and cols must be >= 0.");
        Rows = rows;
        Cols = cols;
        Data = new double[checked(rows * cols)];
    }

    /// <summary>Wraps <paramref name="data"/> (row-major, length rows*cols) without copying.</summary>
    public TokenMatrix(int rows, int cols, double[] data)
    {
        ArgumentNullException.ThrowIfNull(data);
        if (rows < 0 || cols < 0) throw new ArgumentOutOfRangeException(nameof(rows), $"Matrix shape [{rows}, {cols}] is invalid; rows and cols must be >= 0.");
        if (data.Length != (long)rows * cols)
            throw new ArgumentException($"Data has {data.Length} elements but shape [{rows}, {cols}] needs {(long)rows * cols}; pass a row-major array of rows*cols values.", nameof(data));
        Rows = rows;
        Cols = cols;
        Data = data;
    }

    /// <summary>B, the number of rows (responses).</summary>
    public int Rows { get; }
    /// <summary>L, the number of columns (response positions).</summary>
    public int Cols { get; }

    /// <summary>The row-major backing array (length Rows*Cols).</summary>
    public double[] Data { get; }

    /// <summary>A reference to the element at (<paramref name="row"/>, <paramref name="col"/>), for reading or writing in place.</summary>
    public ref double this[int row, int col] => ref Data[row * Cols + col];

    /// <summary>A writable span over row <paramref name="row"/> (Cols elements of <see cref="Data"/>).</summary>
    public Span<double> Row(int row) => Data.AsSpan(row * Cols, Cols);

    /// <summary>A writable span over the whole backing array, row-major.</summary>
    public Span<double> AsSpan() => Data;

    /// <summary>A copy of a rectangular array as a new matrix of the same shape.</summary>
    public static TokenMatrix From(double[,] values)
    {
        ArgumentNullException.ThrowIfNull(values);
        int rows = values.GetLength(0), cols = values.GetLength(1);
        var m = new TokenMatrix(rows, cols);
        for (int i = 0; i < rows; i++)
            for (int j = 0; j < cols; j++) m.Data[i * cols + j] = values[i, j];
        return m;
    }

    /// <summary>A copy of the matrix as a rectangular array.</summary>
    public double[,] ToArray2D()
    {
        var result = new double[Rows, Cols];
        for (int i = 0; i < Rows; i++)
            for (int j = 0; j < Cols; j++) result[i, j] = Data[i * Cols + j];
        return result;
    }

    /// <summary>A deep copy (its own backing array).</summary>
    public TokenMatrix Clone() => new(Rows, Cols, (double[])Data.Clone());

    /// <summary>Whether <paramref name="other"/> has the same rows and columns.</summary>
    public bool SameShape(TokenMatrix other) => other.Rows == Rows && other.Cols == Cols;

    /// <summary>Throws when <paramref name="other"/> does not have this matrix's shape.</summary>
    public void RequireSameShape(TokenMatrix? other, string name, string referenceName)
    {
        if (other is null) throw new ArgumentNullException(name, $"{name} is required (shape [{Rows}, {Cols}], like {referenceName}).");
        if (!SameShape(other))
            throw new ArgumentException($"{name} has shape [{other.Rows}, {other.Cols}] but {referenceName} has [{Rows}, {Cols}]; pass tensors of the same [B, L] shape.", name);
    }

    /// <summary>Sum of each row over all columns (masked or not), into <paramref name="destination"/> of length Rows.</summary>
    public void RowSums(Span<double> destination)
    {
        if (destination.Length != Rows) throw new ArgumentException($"Destination has length {destination.Length}; it must hold one value per row ({Rows}).", nameof(destination));
        for (int i = 0; i < Rows; i++)
        {
            var row = Row(i);
            double s = 0;
            for (int j = 0; j < row.Length; j++) s += row[j];
            destination[i] = s;
        }
    }

    /// <summary>The shape, <c>TokenMatrix[Rows, Cols]</c>.</summary>
    public override string ToString() => $"TokenMatrix[{Rows}, {Cols}]";
}
