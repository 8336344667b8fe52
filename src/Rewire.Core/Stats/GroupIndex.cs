using System.Globalization;

namespace Rewire.Core.Stats;

/// <summary>
/// Explicit group membership of a batch: which prompt group each row belongs to. Rows with equal labels form one
/// group; groups need not be contiguous and their order never matters. Labels (strings or ints) are mapped to dense
/// ids 0..GroupCount−1 in order of first appearance; <see cref="Members(int)"/> lists a group's rows in row order.
/// Internally a counting sort: <see cref="AllMembers"/> holds the rows group after group and group <c>g</c> is
/// <c>AllMembers[Offsets[g]..Offsets[g+1]]</c>. Used by the advantage estimators and by reward shaping
/// (<c>ShapingBatch.Index</c>, built with <see cref="Build"/>).
/// </summary>
public sealed class GroupIndex
{
    private readonly int[] _ids;
    private readonly int[] _offsets;
    private readonly int[] _members;
    private readonly int[]? _intLabels;
    private string[]? _labels;

    private GroupIndex(int[] ids, string[] labels)
        : this(ids, labels.Length)
    {
        _labels = labels;
    }

    private GroupIndex(int[] ids, int[] intLabels)
        : this(ids, intLabels.Length)
    {
        _intLabels = intLabels;
    }

    private GroupIndex(int[] ids, int groupCount)
    {
        _ids = ids;
        _offsets = new int[groupCount + 1];
        foreach (int g in ids) _offsets[g + 1]++;
        for (int g = 0; g < groupCount; g++) _offsets[g + 1] += _offsets[g];
        _members = new int[ids.Length];
        var next = _offsets.AsSpan(0, groupCount).ToArray();
        for (int row = 0; row < ids.Length; row++) _members[next[ids[row]]++] = row;
    }

    /// <summary>Number of rows (responses).</summary>
    public int RowCount => _ids.Length;

    /// <summary>Number of distinct groups.</summary>
    public int GroupCount => _offsets.Length - 1;

    /// <summary>Dense group id of every row (0..GroupCount−1).</summary>
    public ReadOnlySpan<int> Ids => _ids;

    /// <summary>The dense group id (0..GroupCount−1) of row <paramref name="row"/>.</summary>
    public int GroupOf(int row) => _ids[row];

    /// <summary>The label a group was created from (prompt id / uid).</summary>
    public string Label(int group) => LabelsArray()[group];

    /// <summary>The label of every group, indexed by dense group id.</summary>
    public IReadOnlyList<string> Labels => LabelsArray();

    /// <summary>The rows of a group, in increasing row order.</summary>
    public ReadOnlySpan<int> Members(int group) => _members.AsSpan(_offsets[group], _offsets[group + 1] - _offsets[group]);

    /// <summary>The number of rows in group <paramref name="group"/>.</summary>
    public int Size(int group) => _offsets[group + 1] - _offsets[group];

    /// <summary>All rows, group after group (ascending within a group).</summary>
    public ReadOnlySpan<int> AllMembers => _members;

    /// <summary>Start of each group in <see cref="AllMembers"/>, plus the end (GroupCount + 1 entries).</summary>
    public ReadOnlySpan<int> Offsets => _offsets;

    /// <summary>
    /// Groups from non-negative integer labels (any values, not necessarily dense or contiguous) without converting them
    /// to strings: the fast form reward shaping uses. O(n) time; a negative label is an error.
    /// </summary>
    public static GroupIndex Build(ReadOnlySpan<int> labels)
    {
        var n = labels.Length;
        var max = -1;
        foreach (var l in labels)
        {
            if (l < 0)
            {
                throw new ArgumentException($"group label {l} is negative; labels must be non-negative integers.");
            }

            max = Math.Max(max, l);
        }

        var dense = new int[n];
        var firstLabels = new List<int>();
        if (max < 4 * n + 16)
        {
            var map = new int[max + 1];
            Array.Fill(map, -1);
            for (var i = 0; i < n; i++)
            {
                ref var slot = ref map[labels[i]];
                if (slot < 0)
                {
                    slot = firstLabels.Count;
                    firstLabels.Add(labels[i]);
                }

                dense[i] = slot;
            }
        }
        else
        {
            var map = new Dictionary<int, int>();
            for (var i = 0; i < n; i++)
            {
                if (!map.TryGetValue(labels[i], out var d))
                {
                    d = firstLabels.Count;
                    map[labels[i]] = d;
                    firstLabels.Add(labels[i]);
                }

                dense[i] = d;
            }
        }

        return new GroupIndex(dense, firstLabels.ToArray());
    }

    /// <summary>Groups from string labels (uids). A null label is an error.</summary>
    public static GroupIndex FromLabels(IReadOnlyList<string> labels)
    {
        ArgumentNullException.ThrowIfNull(labels);
        var map = new Dictionary<string, int>(StringComparer.Ordinal);
        var ids = new int[labels.Count];
        var names = new List<string>();
        for (int i = 0; i < labels.Count; i++)
        {
            var label = labels[i] ?? throw new ArgumentException($"Group label of row {i} is null; give every row the uid of its prompt.", nameof(labels));
            if (!map.TryGetValue(label, out int id))
            {
                id = names.Count;
                map.Add(label, id);
                names.Add(label);
            }
            ids[i] = id;
        }
        return new GroupIndex(ids, names.ToArray());
    }

    /// <summary>Groups from integer labels (any values, not necessarily dense or contiguous).</summary>
    public static GroupIndex FromLabels(IReadOnlyList<int> labels)
    {
        ArgumentNullException.ThrowIfNull(labels);
        var strings = new string[labels.Count];
        for (int i = 0; i < strings.Length; i++) strings[i] = labels[i].ToString(CultureInfo.InvariantCulture);
        return FromLabels(strings);
    }

    /// <summary>
    /// Groups from dense ids already in 0..groupCount−1 (the trainer's fast form). Every id must be in range and every
    /// group must have at least one row.
    /// </summary>
    public static GroupIndex FromIds(ReadOnlySpan<int> ids, int groupCount)
    {
        ValidateIds(ids, groupCount);
        var labels = new string[groupCount];
        for (int g = 0; g < groupCount; g++) labels[g] = g.ToString(CultureInfo.InvariantCulture);
        return new GroupIndex(ids.ToArray(), labels);
    }

    /// <summary>Checks that ids lie in 0..groupCount−1 and that no group is empty; throws naming the first problem.</summary>
    public static void ValidateIds(ReadOnlySpan<int> ids, int groupCount)
    {
        if (groupCount < 0) throw new ArgumentOutOfRangeException(nameof(groupCount), $"groupCount is {groupCount}; it must be >= 0.");
        if (ids.Length > 0 && groupCount == 0) throw new ArgumentException("groupCount is 0 but there are rows; pass the number of groups.", nameof(groupCount));
        Span<bool> seenSmall = groupCount <= 1024 ? stackalloc bool[groupCount] : default;
        bool[]? seenLarge = groupCount > 1024 ? new bool[groupCount] : null;
        Span<bool> seen = seenLarge is null ? seenSmall : seenLarge;
        int distinct = 0;
        for (int i = 0; i < ids.Length; i++)
        {
            int g = ids[i];
            if ((uint)g >= (uint)groupCount)
                throw new ArgumentOutOfRangeException(nameof(ids), $"Group id {g} of row {i} is outside 0..{groupCount - 1}; ids must be dense (map labels with GroupIndex.FromLabels).");
            if (!seen[g]) { seen[g] = true; distinct++; }
        }
        if (distinct != groupCount)
            throw new ArgumentException($"Only {distinct} of {groupCount} group ids occur; every id in 0..{groupCount - 1} needs at least one row (pass the true group count).", nameof(ids));
    }

    private string[] LabelsArray()
    {
        // Built lazily for Build's integer labels; a race only computes the same strings twice.
        return _labels ??= Array.ConvertAll(_intLabels!, l => l.ToString(CultureInfo.InvariantCulture));
    }
}
