// The registry of policy objectives: one name per technique, each a factory from PolicyObjectiveOptions.
// [T01] vanilla/ppo/grpo, [T03] dapo, [T04] gspo/gspo_token, [T05] dcpo, [T06] dhpo, [T07] etr, [T12] grpo_n/gspo_n,
// and verl's sapo, gpg, clip_cov, kl_cov ([T11] DOT's stabiliser), geo_mean/gmpo, cispo, reinforce.
using Rewire.Core;

namespace Rewire.Torch.Objectives.Policy;

/// <summary>Looks up policy objectives by name.</summary>
public static class PolicyObjectives
{
    /// <summary>Objective factories by name; each builds its objective from the shared options.</summary>
    public static readonly NamedRegistry<Func<PolicyObjectiveOptions, IPolicyObjective>> Registry = Create();

    /// <summary>Builds the objective named <paramref name="name"/>; an unknown name fails with the list of valid names.</summary>
    public static IPolicyObjective Create(string name, PolicyObjectiveOptions? options = null) =>
        Registry.Get(name)(options ?? new PolicyObjectiveOptions());

    private static NamedRegistry<Func<PolicyObjectiveOptions, IPolicyObjective>> Create()
    {
        var r = new NamedRegistry<Func<PolicyObjectiveOptions, IPolicyObjective>>("policy objective");
        r.Register(PpoClipObjective.RegistryName, o => new PpoClipObjective(o));
        r.Register("ppo", o => new PpoClipObjective(o, "ppo"));
        r.Register("grpo", o => new PpoClipObjective(o, "grpo"));
        r.Register(DapoObjective.RegistryName, DapoObjective.Create);
        r.Register(GspoObjective.RegistryName, o => new GspoObjective(o));
        r.Register(GspoTokenObjective.RegistryName, o => new GspoTokenObjective(o));
        r.Register(DcpoObjective.RegistryName, o => new DcpoObjective(o));
        r.Register(DhpoObjective.RegistryName, o => new DhpoObjective(o));
        r.Register(EtrObjective.RegistryName, o => new EtrObjective(o));
        r.Register(NegativeOnlyObjective.GrpoN, o => new NegativeOnlyObjective(NegativeOnlyObjective.GrpoN, new PpoClipObjective(o), o.NegativeOnly));
        r.Register(NegativeOnlyObjective.GspoN, o => new NegativeOnlyObjective(NegativeOnlyObjective.GspoN, new GspoObjective(o), o.NegativeOnly));
        r.Register(SapoObjective.RegistryName, o => new SapoObjective(o));
        r.Register(GpgObjective.RegistryName, o => new GpgObjective(o));
        r.Register(ClipCovObjective.RegistryName, o => new ClipCovObjective(o));
        r.Register(KlCovObjective.RegistryName, o => new KlCovObjective(o));
        r.Register(GeoMeanObjective.RegistryName, o => new GeoMeanObjective(o));
        r.Register("gmpo", o => new GeoMeanObjective(o));
        r.Register(CispoObjective.RegistryName, o => new CispoObjective(o));
        r.Register(ReinforceObjective.RegistryName, o => new ReinforceObjective(o));
        return r;
    }
}
