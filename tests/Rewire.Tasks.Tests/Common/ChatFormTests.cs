using Rewire.Core.Rewards;
using Rewire.Tasks.Chat;
using Rewire.Tasks.Dataset;

namespace Rewire.Tasks.Tests.Common;

/// <summary>Every task's chat form, and answers in the boxed and answer-tag formats read back by the verifier.</summary>
public sealed class ChatFormTests
{
    private static readonly TaskRegistry Registry = TaskRegistry.CreateDefault();

    public static TheoryData<string> Generated()
    {
        var d = new TheoryData<string>();
        foreach (var n in TestTasks.Generated) d.Add(n);
        return d;
    }

    [Theory]
    [MemberData(nameof(Generated))]
    public void Built_in_tasks_give_a_system_instruction_and_the_prompt_as_the_user_turn(string name)
    {
        var task = Assert.IsAssignableFrom<IChatTask>(Registry.Create(name));
        var p = task.Generate(Split.Train, 1, 0);
        var chat = task.Chat(p);
        Assert.Equal(AnswerFormat.Plain, chat.Format);
        Assert.Equal(["system", "user"], chat.Messages.Select(m => m.Role));
        Assert.EndsWith(AnswerFormats.Instruction(AnswerFormat.Plain), chat.Messages[0].Content);
        Assert.True(chat.Messages[0].Content.Length > AnswerFormats.Instruction(AnswerFormat.Plain).Length + 10, "the task's own instruction is missing");
        Assert.Equal(p.Text, chat.Messages[1].Content);
    }

    [Theory]
    [InlineData("arithmetic", "boxed")]
    [InlineData("reverse", "boxed")]
    [InlineData("countdown", "answer_tag")]
    [InlineData("reasoning", "answer_tag")]
    [InlineData("programs", "boxed")]
    public void A_formatted_task_asks_for_the_format_and_its_verifier_reads_it(string name, string format)
    {
        var f = AnswerFormats.Parse(format);
        var task = Assert.IsType<FormattedTask>(Registry.Create(name, new TaskSettings { Format = f }));
        var plain = Registry.Create(name);
        var p = task.Generate(Split.Test, 2, 3);
        var q = plain.Generate(Split.Test, 2, 3);
        Assert.Equal((q.Id, q.Text, q.Answer), (p.Id, p.Text, p.Answer));
        var chat = task.Chat(p);
        Assert.Equal(f, chat.Format);
        Assert.EndsWith(AnswerFormats.Instruction(f), chat.Messages[0].Content);
        Assert.DoesNotContain(AnswerFormats.Instruction(AnswerFormat.Plain), chat.Messages[0].Content);

        // The demonstration is written in the format and passes; the same answer outside the format does not.
        string demo = task.Demonstrate(p, 0, new Random(1));
        Assert.Equal(AnswerFormats.Render(f, p.Answer!), demo);
        var right = task.Verifier.Score(new Rollout(p, "Let me think.\n" + demo));
        Assert.True(right.Correct, right.FailureReason);
        var bare = task.Verifier.Score(new Rollout(p, p.Answer!));
        Assert.False(bare.Correct);
        Assert.Equal(0, bare.Total);
        Assert.Equal(plain.Verifier.Score(new Rollout(p, p.Answer!)).Components.Keys.Order(), bare.Components.Keys.Order());
        // Every character of the format is in the alphabet.
        Assert.All(demo, c => Assert.Contains(c, task.Alphabet));
    }

    [Fact]
    public void Boxed_answers_with_nested_braces_are_extracted_whole()
    {
        var e = AnswerFormats.Extract(AnswerFormat.Boxed, "so \\boxed{\\frac{1}{2}} and \\boxed{x^{2}}");
        Assert.True(e.Found);
        Assert.Equal("x^{2}", e.Value);
        Assert.Equal("7", AnswerFormats.Extract(AnswerFormat.AnswerTag, "<answer>3</answer> no, <answer> 7 </answer>").Value);
        Assert.False(AnswerFormats.Extract(AnswerFormat.Boxed, "\\boxed{7").Found);
        Assert.Throws<ArgumentException>(() => AnswerFormats.Parse("latex"));
    }

    [Fact]
    public void A_system_setting_replaces_the_task_instruction_but_keeps_the_format()
    {
        var task = Assert.IsType<FormattedTask>(Registry.Create("addition", new TaskSettings { Format = AnswerFormat.AnswerTag, System = "You are a calculator." }));
        var chat = task.Chat(task.Generate(Split.Train, 1, 0));
        Assert.Equal("You are a calculator.\n\n" + AnswerFormats.Instruction(AnswerFormat.AnswerTag), chat.Messages[0].Content);
    }

    [Fact]
    public void The_dataset_task_keeps_its_messages_in_the_boxed_format()
    {
        string path = TestTasks.WriteLines([
            """{"messages": [{"role": "system", "content": "Use integers."}, {"role": "user", "content": "2+3?"}], "answer": "5", "split": "train"}""",
            """{"prompt": "4+4?", "answer": "8", "split": "test"}"""]);
        var task = Assert.IsType<FormattedTask>(Registry.Create(DatasetTask.TaskName,
            new TaskSettings { Format = AnswerFormat.Boxed, Dataset = new DatasetOptions { Path = path, Verifier = "math" } }));
        var p = task.Generate(Split.Train, 0, 0);
        var chat = task.Chat(p);
        Assert.Equal(["system", "user"], chat.Messages.Select(m => m.Role));
        Assert.Contains("Use integers.", chat.Messages[0].Content);
        Assert.EndsWith(AnswerFormats.Instruction(AnswerFormat.Boxed), chat.Messages[0].Content);
        Assert.Equal("2+3?", chat.Messages[1].Content);
        Assert.True(task.Verifier.Score(new Rollout(p, "2+3 = 5, so \\boxed{5}")).Correct);
        Assert.False(task.Verifier.Score(new Rollout(p, "5")).Correct); // not in the format
        Assert.Equal("\\boxed{5}", task.Demonstrate(p, 0, new Random(1)));
    }
}
