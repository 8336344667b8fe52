namespace Rewire.Tasks.Dataset;

/// <summary>
/// The characters of a dataset, for the small GPT's character tokenizer (one id per UTF-16 code unit). Refuses, naming
/// the record, control characters other than tab and newline, unpaired surrogates, and more distinct characters than
/// task.max_alphabet (each costs an embedding row; a dataset in a large script wants a model with a real tokenizer).
/// </summary>
public static class DatasetAlphabet
{
    /// <summary>The sorted distinct characters of <paramref name="texts"/>; throws <see cref="DatasetFormatException"/> naming the record for a control character, an unpaired surrogate, or more than <paramref name="maxAlphabet"/> characters.</summary>
    /// <param name="path">The dataset file, for messages.</param>
    /// <param name="texts">Each text with its location (for example "line 12").</param>
    /// <param name="maxAlphabet">The most distinct characters allowed (task.max_alphabet).</param>
    public static string Of(string path, IEnumerable<(string Location, string Text)> texts, int maxAlphabet)
    {
        var chars = new SortedSet<char>();
        foreach (var (location, text) in texts)
        {
            for (int i = 0; i < text.Length; i++)
            {
                char c = text[i];
                if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
                {
                    Add(c);
                    Add(text[++i]);
                    continue;
                }
                if (char.IsSurrogate(c))
                    throw new DatasetFormatException(path, location, $"holds an unpaired surrogate (U+{(int)c:X4}) at character {i}; the character tokenizer cannot encode it: fix the text");
                if (char.IsControl(c) && c is not ('\n' or '\t'))
                    throw new DatasetFormatException(path, location, $"holds the control character U+{(int)c:X4} at character {i}; the character tokenizer does not encode control characters other than tab and newline: remove it");
                Add(c);
            }

            void Add(char ch)
            {
                if (chars.Add(ch) && chars.Count > maxAlphabet)
                    throw new DatasetFormatException(path, location,
                        $"brings the dataset to more than {maxAlphabet} distinct characters (this one: '{ch}', U+{(int)ch:X4}); the small model's character tokenizer would need that many ids: raise task.max_alphabet or train a model with its own tokenizer (model.path)");
            }
        }
        return string.Concat(chars);
    }
}
