using Rewire.Tasks.Environments;

namespace Rewire.Tasks.Tests.Environments;

/// <summary>Every built-in environment tells a chat model how to act (the system message of the chat form of episodes),
/// and the instructions name the actions its scripted expert writes.</summary>
public sealed class EnvironmentInstructionsTests
{
    [Theory]
    [InlineData("guess", "one number")]
    [InlineData("maze", "n, e, s or w")]
    [InlineData("calc", "answer N")]
    [InlineData("search", "answer TEXT")]
    [InlineData("repair", "edit N: CODE")]
    public void EveryBuiltInEnvironmentHasInstructionsNamingItsActions(string name, string action)
    {
        var env = EnvironmentRegistry.CreateDefault().Create(name);
        var instructed = Assert.IsAssignableFrom<IInstructedEnvironment>(env);
        Assert.Contains(action, instructed.Instructions);
    }

    [Fact]
    public void TheGuessInstructionsGiveTheConfiguredRange() =>
        Assert.StartsWith("Guess the secret whole number from 1 to 20.", new GuessingEnvironment(new GuessingOptions { Range = 20 }).Instructions);
}
