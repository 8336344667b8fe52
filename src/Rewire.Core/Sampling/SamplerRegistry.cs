using System.Text.Json;
using System.Text.Json.Nodes;
using Rewire.Core.Rewards;
using Rewire.Core.Techniques;

namespace Rewire.Core.Sampling;

/// <summary>Creates a sampler over <paramref name="pool"/> from a seed and JSON options (null = defaults).</summary>
public delegate IPromptSampler SamplerFactory(IReadOnlyList<Prompt> pool, ulong seed, JsonObject? options);

/// <summary>
/// The prompt-sampler registry: configuration names a sampler (<c>uniform</c>, <c>dapo</c>, <c>vade</c>, <c>domain_aware</c>,
/// <c>dot_pds</c>, <c>curriculum</c>, <c>recap</c>) and passes its options as a JSON object with snake_case keys.
/// A new sampler is one file and one <see cref="NamedRegistry{T}.Register"/> call.
/// </summary>
public static class SamplerRegistry
{
    /// <summary>The process-wide registry with the built-in samplers.</summary>
    public static NamedRegistry<SamplerFactory> Default { get; } = CreateDefault();

    /// <summary>A fresh registry holding only the built-in samplers.</summary>
    public static NamedRegistry<SamplerFactory> CreateDefault()
    {
        var r = new NamedRegistry<SamplerFactory>("prompt sampler");
        r.Register(UniformSampler.RegistryName, (pool, seed, o) =>
            new UniformSampler(pool, seed, SamplerSupport.BindOptions<UniformOptions>(o, UniformSampler.RegistryName)));
        r.Register(VadeSampler.RegistryName, (pool, seed, o) =>
            new VadeSampler(pool, seed, SamplerSupport.BindOptions<VadeOptions>(o, VadeSampler.RegistryName)));
        r.Register(DomainAwareSampler.RegistryName, (pool, seed, o) =>
            new DomainAwareSampler(pool, seed, SamplerSupport.BindOptions<DomainAwareOptions>(o, DomainAwareSampler.RegistryName)));
        r.Register(CurriculumSampler.RegistryName, (pool, seed, o) =>
            new CurriculumSampler(pool, seed, SamplerSupport.BindOptions<CurriculumOptions>(o, CurriculumSampler.RegistryName)));
        r.Register(RecapSampler.RegistryName, (pool, seed, o) =>
            new RecapSampler(pool, seed, SamplerSupport.BindOptions<RecapOptions>(o, RecapSampler.RegistryName)));
        r.Register(DapoSampler.RegistryName, (pool, seed, o) =>
        {
            var opts = SamplerSupport.BindOptions<DapoOptions>(o, DapoSampler.RegistryName);
            opts.Validate(DapoSampler.RegistryName);
            var inner = r.Get(opts.Inner)(pool, Xoshiro256StarStar.Derive(seed, 1), opts.InnerOptions);
            return new DapoSampler(inner, opts);
        });
        r.Register(DotPdsSampler.RegistryName, (pool, seed, o) =>
        {
            var opts = SamplerSupport.BindOptions<DotPdsOptions>(o, DotPdsSampler.RegistryName);
            opts.Validate(DotPdsSampler.RegistryName);
            var inner = r.Get(opts.Inner)(pool, Xoshiro256StarStar.Derive(seed, 1), opts.InnerOptions);
            return new DotPdsSampler(inner, opts);
        });
        return r;
    }

    /// <summary>Creates the sampler <paramref name="technique"/> names, with its resolved parameters, in <see cref="Default"/>.</summary>
    public static IPromptSampler Create(ResolvedTechnique technique, IReadOnlyList<Prompt> pool, ulong seed)
    {
        ArgumentNullException.ThrowIfNull(technique);
        return Default.Get(technique.Name)(pool, seed, Options(technique));
    }

    /// <summary>
    /// The options object of a resolved sampler descriptor (see <see cref="SamplerDescriptors"/>): every parameter under its
    /// snake_case key, typed; <c>max_epochs</c> 0 (unlimited) and an empty <c>inner_options</c> are left out (null).
    /// </summary>
    public static JsonObject Options(ResolvedTechnique technique)
    {
        ArgumentNullException.ThrowIfNull(technique);
        var o = new JsonObject();
        foreach (var p in technique.Descriptor.Parameters)
        {
            string value = technique.Values[p.Name];
            if (p.Name == "max_epochs" && value == "0") continue;
            if (p.Name == "inner_options")
            {
                if (value.Length == 0) continue;
                o[p.Name] = ParseObject(value, technique.Name);
                continue;
            }
            o[p.Name] = p.ToJson(value);
        }
        return o;
    }

    private static JsonObject ParseObject(string json, string sampler)
    {
        try
        {
            return JsonNode.Parse(json) as JsonObject
                ?? throw new ArgumentException($"sampler '{sampler}': inner_options must be a JSON object such as {{\"global_decay\":0.95}} (got {json}).");
        }
        catch (JsonException e)
        {
            throw new ArgumentException($"sampler '{sampler}': inner_options is not valid JSON ({e.Message}); write a JSON object such as {{\"global_decay\":0.95}}.", e);
        }
    }

    /// <summary>Creates the sampler registered as <paramref name="name"/> in <see cref="Default"/>.</summary>
    public static IPromptSampler Create(string name, IReadOnlyList<Prompt> pool, ulong seed, JsonObject? options = null) =>
        Default.Get(name)(pool, seed, options);
}
