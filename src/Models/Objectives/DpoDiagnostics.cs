namespace ActorRL.Models.Objectives;

/// <summary>Per-batch DPO diagnostics, means over the pairs (see <see cref="Dpo.Diagnostics(ReadOnlySpan{double}, ReadOnlySpan{double}, ReadOnlySpan{double}, ReadOnlySpan{double}, double, double)"/>).</summary>
/// <param name="Loss">Mean loss, with the label smoothing ε the diagnostics were asked for.</param>
/// <param name="ChosenReward">Mean implicit reward β (log π_θ(y_w) − log π_ref(y_w)) of the chosen responses.</param>
/// <param name="RejectedReward">Mean implicit reward β (log π_θ(y_l) − log π_ref(y_l)) of the rejected responses.</param>
/// <param name="RewardMargin">Mean βΔ: <paramref name="ChosenReward"/> − <paramref name="RejectedReward"/>.</param>
/// <param name="Accuracy">Fraction of pairs whose chosen response has the strictly larger implicit reward.</param>
public sealed record DpoDiagnostics(double Loss, double ChosenReward, double RejectedReward, double RewardMargin, double Accuracy);
