namespace ActorRL.Models.Tasks;

/// <summary>The operation of an <c>arithmetic</c> problem.</summary>
public enum ArithmeticOperation
{
    /// <summary>Multi-digit addition, worked column by column from the units.</summary>
    Add,

    /// <summary>A multi-digit number times a one-digit number, worked digit by digit from the units.</summary>
    Multiply,
}
