using System.Text.Json;
using Parquet.Serialization;
using Rewire.Core.Rewards;
using Rewire.Tasks.Chat;
using Rewire.Tasks.Dataset;

namespace Rewire.Tasks.Tests.Dataset;

public sealed class DatasetReadingTests
{
    [Fact]
    public void Jsonl_records_with_prompts_or_messages_become_prompts_with_their_answers()
    {
        string path = TestTasks.WriteLines(
        [
            """{"prompt": "2+2=", "answer": "4", "domain": "add", "difficulty": 2, "split": "train"}""",
            "",
            """{"messages": [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "3+3="}, {"role": "assistant", "content": "6"}, {"role": "user", "content": "and 4+4="}], "answer": 8, "split": "test"}""",
            """{"prompt": "caf\u00e9?", "answer": "yes", "split": "train"}""",
        ]);
        var task = TestTasks.Dataset(path);
        var train = task.Prompts(Split.Train);
        var test = Assert.Single(task.Prompts(Split.Test));
        Assert.Equal(["2+2=", "café?"], train.Select(p => p.Text));
        Assert.Equal(["4", "yes"], train.Select(p => p.Answer));
        Assert.Equal("add", train[0].Domain);
        Assert.Equal(2, train[0].Difficulty);
        Assert.Equal("dataset/train/line-1", train[0].Id);
        Assert.Equal("and 4+4=", test.Text); // the last user turn is the prompt
        Assert.Equal("8", test.Answer); // a number answer keeps its JSON text
        Assert.Equal("default", test.Domain);
        Assert.Equal("dataset/test/line-3", test.Id);
        Assert.Equal(["add", "default"], task.Domains);
        Assert.Equal(2, task.MaxDifficulty);
        Assert.Contains("3 records, 2 train and 1 test", task.Summary);
        // Every character of the prompts and answers, sorted, each once.
        Assert.Equal("\n +248=?acdefnsyé", task.Alphabet);
        // The messages are kept for a chat template, after a system message carrying the answer format.
        var chat = task.Chat(test);
        Assert.Equal(["system", "user", "assistant", "user"], chat.Messages.Select(m => m.Role));
        Assert.Contains("Be brief.", chat.Messages[0].Content);
        Assert.Equal("and 4+4=", chat.Messages[^1].Content);
    }

    [Fact]
    public void Field_names_are_configurable()
    {
        string path = TestTasks.WriteLines(["""{"question": "q1", "solution": "a1", "topic": "t", "part": "train"}""", """{"question": "q2", "solution": "a2", "topic": "t", "part": "test"}"""]);
        var task = new DatasetTask(new DatasetOptions { Path = path, PromptField = "question", AnswerField = "solution", DomainField = "topic", SplitField = "part" });
        Assert.Equal("q1", task.Prompts(Split.Train)[0].Text);
        Assert.Equal("a2", task.Prompts(Split.Test)[0].Answer);
        Assert.Equal(["t"], task.Domains);
    }

    [Fact]
    public void Generate_walks_the_split_in_file_order_and_wraps_around()
    {
        var task = TestTasks.Dataset(TestTasks.WriteLines([
            """{"prompt": "a", "answer": "1", "split": "train"}""", """{"prompt": "b", "answer": "2", "split": "train"}""", """{"prompt": "c", "answer": "3", "split": "test"}"""]));
        Assert.Equal(["a", "b", "a"], task.GenerateMany(Split.Train, 99, 3).Select(p => p.Text));
        Assert.Equal("c", task.Generate(Split.Test, 1, 5).Text);
    }

    [Fact]
    public void Demonstrations_are_the_answer_or_another_records_answer()
    {
        var task = TestTasks.Dataset(TestTasks.WriteJsonl(TestTasks.Addition(20)));
        var p = task.Prompts(Split.Train)[0];
        var random = new Random(3);
        Assert.Equal(p.Answer, task.Demonstrate(p, 0, random));
        var wrong = Enumerable.Range(0, 50).Select(_ => task.Demonstrate(p, 1, random)).ToList();
        Assert.All(wrong, w => Assert.NotEqual(p.Answer, w));
        Assert.All(wrong, w => Assert.False(task.Verifier.Score(new Rollout(p, w)).Correct));
        Assert.True(task.Verifier.Score(new Rollout(p, task.Demonstrate(p, 0, random))).Correct);
    }

    public sealed class Row
    {
        public string? prompt { get; set; }
        public string? answer { get; set; }
        public string? split { get; set; }
        public List<Message>? messages { get; set; }
    }

    public sealed class Message
    {
        public string? role { get; set; }
        public string? content { get; set; }
    }

    private static string WriteParquet(IEnumerable<Row> rows)
    {
        string path = TestTasks.NewPath(".parquet");
        using (var stream = File.Create(path))
            ParquetSerializer.SerializeAsync(rows, stream).GetAwaiter().GetResult();
        return path;
    }

    [Fact]
    public void Parquet_rows_are_read_with_nested_messages()
    {
        string path = WriteParquet(
        [
            new Row { prompt = "1+1=", answer = "2", split = "train" },
            new Row { messages = [new Message { role = "user", content = "5+5=" }], answer = "10", split = "test" },
        ]);
        var task = TestTasks.Dataset(path);
        Assert.Equal("1+1=", Assert.Single(task.Prompts(Split.Train)).Text);
        var test = Assert.Single(task.Prompts(Split.Test));
        Assert.Equal("5+5=", test.Text);
        Assert.Equal("10", test.Answer);
        Assert.Equal("dataset/test/row-2", test.Id);
    }

    [Fact]
    public void A_bad_parquet_row_is_named_by_its_row_number()
    {
        string path = WriteParquet(
        [
            new Row { prompt = "1+1=", answer = "2" },
            new Row { prompt = "2+2=", answer = "4" },
            new Row { prompt = "   ", answer = "6" },
        ]);
        var e = Assert.Throws<DatasetFormatException>(() => TestTasks.Dataset(path));
        Assert.Equal("row 3", e.Location);
        Assert.Contains("prompt is empty", e.Message);
    }

    [Fact]
    public void A_file_that_is_not_parquet_is_refused_as_a_whole()
    {
        string path = TestTasks.WriteLines(["not parquet at all"], ".parquet");
        var e = Assert.Throws<DatasetFormatException>(() => TestTasks.Dataset(path));
        Assert.Equal("file", e.Location);
        Assert.Contains("Parquet", e.Message);
    }

    [Fact]
    public void Jsonl_is_streamed_a_record_at_a_time()
    {
        // The reader yields records as it goes: the first bad line stops it with nothing after it parsed.
        string path = TestTasks.WriteLines(["""{"prompt": "a", "answer": "1"}""", "{", "never parsed"]);
        var parser = new DatasetRecordParser(new DatasetOptions { Path = path });
        using var e = JsonlDatasetReader.Read(path, parser).GetEnumerator();
        Assert.True(e.MoveNext());
        Assert.Equal("a", e.Current.Prompt);
        var error = Assert.Throws<DatasetFormatException>(() => e.MoveNext());
        Assert.Equal("line 2", error.Location);
    }
}
