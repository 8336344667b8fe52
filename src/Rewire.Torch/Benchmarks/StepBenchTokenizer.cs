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
    /// <summary>Padding id (0).</summary>
    public const int Pad = 0;

    /// <summary>Beginning-of-sequence id (1).</summary>
    public const int Bos = 1;

    /// <summary>End-of-sequence id (2).</summary>
    public const int Eos = 2;

    /// <summary>Id of '+' (3).</summary>
    public const int Plus = 3;

    /// <summary>Id of '=' (4).</summary>
    public const int EqualsSign = 4;

    /// <summary>Id of the digit 0 (5); digit d is Zero + d.</summary>
    public const int Zero = 5;

    /// <inheritdoc />
    public string Name => "step-bench";
    /// <inheritdoc />
    public int VocabSize { get; } = vocabSize >= Zero + 10 ? vocabSize : throw new ArgumentOutOfRangeException(nameof(vocabSize), vocabSize, "the step benchmark's vocabulary needs at least 15 ids");
    /// <inheritdoc />
    public int PadId => Pad;
    /// <inheritdoc />
    public int BosId => Bos;
    /// <inheritdoc />
    public int EosId => Eos;

    /// <inheritdoc />
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

    /// <inheritdoc />
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
