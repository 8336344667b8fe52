using System.Reflection;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using Rewire.Core.Rewards;

namespace Rewire.Core.Sampling;

/// <summary>Shared plumbing for samplers: pool validation, option binding, state (de)serialisation and per-domain drawing.</summary>
public static class SamplerSupport
{
    /// <summary>snake_case JSON, unknown keys rejected: the format of sampler options and saved states.</summary>
    public static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower) },
    };

    /// <summary>Checks that the pool is non-empty with unique ids and returns id → index.</summary>
    public static Dictionary<string, int> IndexPool(IReadOnlyList<Prompt> pool, string sampler)
    {
        ArgumentNullException.ThrowIfNull(pool);
        if (pool.Count == 0)
            throw new ArgumentException($"sampler '{sampler}' got an empty prompt pool; give it at least one prompt.", nameof(pool));
        var index = new Dictionary<string, int>(pool.Count, StringComparer.Ordinal);
        for (var i = 0; i < pool.Count; i++)
        {
            var p = pool[i] ?? throw new ArgumentException($"sampler '{sampler}': pool entry {i} is null.", nameof(pool));
            if (!index.TryAdd(p.Id, i))
                throw new ArgumentException($"sampler '{sampler}': prompt id '{p.Id}' occurs twice in the pool; samplers key their state on ids, so make them unique.", nameof(pool));
        }
        return index;
    }

    /// <summary>The pool index of an observed prompt; throws when the sampler never offered it.</summary>
    public static int Lookup(Dictionary<string, int> index, Prompt prompt, string sampler) =>
        index.TryGetValue(prompt.Id, out var i)
            ? i
            : throw new ArgumentException($"sampler '{sampler}' observed prompt '{prompt.Id}', which is not in its pool; observe only groups of prompts the sampler chose.");

    /// <summary>A fingerprint of the pool's ids (count and FNV-1a hash) so a state is not restored over another pool.</summary>
    public static string Fingerprint(IReadOnlyList<Prompt> pool)
    {
        var h = 14695981039346656037UL;
        foreach (var p in pool)
        {
            foreach (var ch in p.Id)
            {
                h ^= ch;
                h *= 1099511628211UL;
            }
            h ^= 0xFF;
            h *= 1099511628211UL;
        }
        return $"{pool.Count}:{h:x16}";
    }

    /// <summary>Binds options from JSON (null → defaults); unknown keys fail with the list of valid keys.</summary>
    public static T BindOptions<T>(JsonObject? options, string sampler)
        where T : new()
    {
        if (options is null) return new T();
        try
        {
            return options.Deserialize<T>(Json) ?? new T();
        }
        catch (JsonException e)
        {
            var keys = typeof(T).GetProperties(BindingFlags.Public | BindingFlags.Instance)
                .Select(p => JsonNamingPolicy.SnakeCaseLower.ConvertName(p.Name));
            throw new ArgumentException($"invalid options for '{sampler}': {e.Message} Valid keys: {string.Join(", ", keys)}.", nameof(options), e);
        }
    }

    /// <summary>Wraps a sampler's state with its name and pool fingerprint.</summary>
    public static JsonObject WriteState<T>(string sampler, IReadOnlyList<Prompt> pool, T state) =>
        new()
        {
            ["sampler"] = sampler,
            ["pool"] = Fingerprint(pool),
            ["state"] = JsonSerializer.SerializeToNode(state, Json),
        };

    /// <summary>Reads a state written by <see cref="WriteState"/>, checking the sampler name and the pool.</summary>
    public static T ReadState<T>(JsonObject saved, string sampler, IReadOnlyList<Prompt> pool)
    {
        ArgumentNullException.ThrowIfNull(saved);
        var name = saved["sampler"]?.GetValue<string>();
        if (name != sampler)
            throw new ArgumentException($"the saved state belongs to sampler '{name}', not '{sampler}'; restore it into a '{name}' sampler.", nameof(saved));
        var fp = saved["pool"]?.GetValue<string>();
        var expected = Fingerprint(pool);
        if (fp != expected)
            throw new ArgumentException($"the saved state of '{sampler}' was taken over a different prompt pool ({fp}, this pool is {expected}); restore it with the same prompts in the same order.", nameof(saved));
        var node = saved["state"] ?? throw new ArgumentException($"the saved state of '{sampler}' has no 'state' field.", nameof(saved));
        try
        {
            return node.Deserialize<T>(Json) ?? throw new ArgumentException($"the saved state of '{sampler}' is null.", nameof(saved));
        }
        catch (JsonException e)
        {
            throw new ArgumentException($"the saved state of '{sampler}' is malformed: {e.Message}", nameof(saved), e);
        }
    }

    /// <summary>Throws when an array read from a saved state has the wrong length.</summary>
    public static void CheckLength(Array? values, int expected, string field, string sampler)
    {
        if (values is null || values.Length != expected)
            throw new ArgumentException($"the saved state of '{sampler}' has {values?.Length ?? 0} entries in '{field}' but the pool needs {expected}.");
    }

    /// <summary>Throws a clear error when <paramref name="condition"/> is false (options validation).</summary>
    public static void Require(bool condition, string sampler, string key, object? value, string allowed)
    {
        if (!condition)
            throw new ArgumentOutOfRangeException(key, value, $"option '{key}' of '{sampler}' is {value}; allowed: {allowed}.");
    }

    /// <summary>The distinct domains of <paramref name="pool"/> in order of first appearance, and each prompt's domain index.</summary>
    internal static (string[] Domains, int[] DomainOf) IndexDomains(IReadOnlyList<Prompt> pool)
    {
        var names = new List<string>();
        var lookup = new Dictionary<string, int>(StringComparer.Ordinal);
        var domainOf = new int[pool.Count];
        for (var i = 0; i < pool.Count; i++)
        {
            if (!lookup.TryGetValue(pool[i].Domain, out var d))
            {
                d = names.Count;
                lookup[pool[i].Domain] = d;
                names.Add(pool[i].Domain);
            }
            domainOf[i] = d;
        }
        return (names.ToArray(), domainOf);
    }

    /// <summary>Per domain, the indices of its prompts in a shuffled order (shuffled with <paramref name="rng"/>, domain after domain).</summary>
    internal static int[][] ShuffledDomainOrders(int[] domainOf, int domainCount, Xoshiro256StarStar rng)
    {
        var orders = new int[domainCount][];
        for (var d = 0; d < domainCount; d++)
        {
            orders[d] = Enumerable.Range(0, domainOf.Length).Where(i => domainOf[i] == d).ToArray();
            rng.Shuffle(orders[d].AsSpan());
        }
        return orders;
    }

    /// <summary>
    /// Takes <paramref name="counts"/>[d] prompts from each domain's order, domain after domain, advancing its cursor and
    /// reshuffling the order with <paramref name="rng"/> whenever it is used up (sampling without replacement per epoch).
    /// </summary>
    internal static List<Prompt> DrawByDomain(IReadOnlyList<Prompt> pool, int[][] orders, int[] cursors, int[] counts, Xoshiro256StarStar rng, int batchSize)
    {
        var batch = new List<Prompt>(batchSize);
        for (var d = 0; d < orders.Length; d++)
        {
            for (var k = 0; k < counts[d]; k++)
            {
                if (cursors[d] == orders[d].Length)
                {
                    rng.Shuffle(orders[d].AsSpan());
                    cursors[d] = 0;
                }
                batch.Add(pool[orders[d][cursors[d]++]]);
            }
        }
        return batch;
    }
}
