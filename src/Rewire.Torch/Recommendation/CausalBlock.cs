using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Rewire.Torch.Recommendation;

/// <summary>
/// A GPT block as in the decision transformer (pre-LayerNorm, causal multi-head self-attention, a 4× GELU MLP, residuals,
/// dropout on attention weights and both residual branches). The mask is the plain causal one: DT4IER's code adds a
/// "reward mask" that lets state and action tokens attend to later positions, which shows a state token its own target
/// action in training; that leak is not reproduced.
/// </summary>
internal sealed class CausalBlock : nn.Module<Tensor, Tensor>
{
    private readonly LayerNorm ln1, ln2;
    private readonly Linear key, query, value, proj, fc1, fc2;
    private readonly int _heads;
    private readonly GeneratorDropout _dropout;

    public CausalBlock(int embedding, int heads, GeneratorDropout dropout) : base(nameof(CausalBlock))
    {
        _heads = heads;
        _dropout = dropout;
        ln1 = nn.LayerNorm(embedding);
        ln2 = nn.LayerNorm(embedding);
        key = nn.Linear(embedding, embedding);
        query = nn.Linear(embedding, embedding);
        value = nn.Linear(embedding, embedding);
        proj = nn.Linear(embedding, embedding);
        fc1 = nn.Linear(embedding, 4 * embedding);
        fc2 = nn.Linear(4 * embedding, embedding);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        long b = x.shape[0], t = x.shape[1], c = x.shape[2];
        long hs = c / _heads;
        var h = ln1.forward(x);
        var k = key.forward(h).view(b, t, _heads, hs).transpose(1, 2);
        var q = query.forward(h).view(b, t, _heads, hs).transpose(1, 2);
        var v = value.forward(h).view(b, t, _heads, hs).transpose(1, 2);
        var att = matmul(q, k.transpose(-2, -1)) * (1.0 / Math.Sqrt(hs));
        var mask = ones(t, t, dtype: ScalarType.Bool).tril();
        att = att.masked_fill(mask.logical_not(), double.NegativeInfinity);
        att = _dropout.Apply(nn.functional.softmax(att, -1));
        var y = matmul(att, v).transpose(1, 2).contiguous().view(b, t, c);
        x = x + _dropout.Apply(proj.forward(y));
        var m = fc2.forward(nn.functional.gelu(fc1.forward(ln2.forward(x))));
        x = x + _dropout.Apply(m);
        return x.MoveToOuterDisposeScope();
    }
}
