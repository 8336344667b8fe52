using System.Text;
using Rewire.Torch.Tokenizers;

namespace Rewire.Torch.Benchmarks;

/// <summary>
/// The vocabulary of the step benchmark's addition prompts: pad 0, bos 1, eos 2, '+' 3, '=' 4, digits 0-9 at 5-14; every
/// other id up to <see cref="VocabSize"/> is unused and decodes to '?'. The same layout as bench/python/bench_step.py, so
/// both sides build the same prompts and grade the same text.
/// </summary>
public sealed class StepBenchTokenizer(int vocabSize) : ITokenizer
{
    public const int Pad = 0, Bos = 1, Eos = 2, Plus = 3, EqualsSign = 4, Zero = 5;

    public string Name => "step-bench";
    public int VocabSize { get; } = vocabSize >= Zero + 10 ? vocabSize : throw new ArgumentOutOfRangeException(nameof(vocabSize), vocabSize, "the step benchmark's vocabulary needs at least 15 ids");
    public int PadId => Pad;
    public int BosId => Bos;
    public int EosId => Eos;

    public int[] Encode(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var ids = new int[text.Length];
        for (int i = 0; i < text.Length; i++)
            ids[i] = text[i] switch
            {
                '+' => Plus,
                '=' => EqualsSign,
                >= '0' and <= '9' => Zero + (text[i] - '0'),
                _ => throw new ArgumentException($"character '{text[i]}' at position {i} is not in the step benchmark's vocabulary (digits, '+', '=')"),
            };
        return ids;
    }

    public string Decode(IEnumerable<int> ids)
    {
        var text = new StringBuilder();
        foreach (int id in ids)
        {
            if (id is Pad or Bos or Eos) continue;
            text.Append(id switch
            {
                Plus => '+',
                EqualsSign => '=',
                >= Zero and < Zero + 10 => (char)('0' + id - Zero),
                _ => '?',
            });
        }
        return text.ToString();
    }
}
