namespace Avengers.Data.Import;

/// <summary>Where the two public benchmark sources live upstream and what their files must hash to.</summary>
public static class BenchmarkSources
{
    public const string LlmRouter = "llmrouter";
    public const string MmluPro = "mmlu-pro";

    /// <summary>Commit of github.com/ulab-uiuc/LLMRouter the files were taken from.</summary>
    public const string LlmRouterCommit = "4e7a796942ce26e9d5f2b93191c7c2585c99c2e3";
    /// <summary>Commit of github.com/TIGER-AI-Lab/MMLU-Pro the files were taken from.</summary>
    public const string MmluProCommit = "f418b116db00b065c2aea046518d8fcf74d39872";

    public static string RawUrl(SourceFile file) => file.Source switch
    {
        LlmRouter => $"https://raw.githubusercontent.com/ulab-uiuc/LLMRouter/{LlmRouterCommit}/{file.UpstreamPath}",
        MmluPro => $"https://raw.githubusercontent.com/TIGER-AI-Lab/MMLU-Pro/{MmluProCommit}/{Uri.EscapeDataString(file.UpstreamPath).Replace("%2F", "/")}",
        _ => throw new ArgumentException($"unknown source '{file.Source}'", nameof(file)),
    };

    public static IEnumerable<SourceFile> FilesOf(string source) => Files.Where(f => f.Source == source);

    public static readonly IReadOnlyList<SourceFile> Files =
    [
        new("llmrouter", "default_llm.json", "llmrouter/data/example_data/llm_candidates/default_llm.json", "278f790564efd758ab28a9b6ce141d3fa057219de9bad40b31562c4286549552"),
        new("llmrouter", "test.json", "data/dcrouter_preprocessed/test.json", "fbb6d3e3f62c7018e5446d3154cc05812d3124381f774738e9f0bac5bff79c79"),
        new("llmrouter", "train.json", "data/dcrouter_preprocessed/train.json", "ad3ae70149998f02cbf0dd4557ccb6afcf365ac9391b7371329ffc22201e90e3"),
        new("llmrouter", "default_query_test.jsonl", "llmrouter/data/example_data/defaul_query_data/default_query_test.jsonl", "0fdf4b4236fb81c1a673a01950fb974e02599c83164b0e7832888aefaa490e27"),
        new("llmrouter", "default_query_train.jsonl", "llmrouter/data/example_data/defaul_query_data/default_query_train.jsonl", "f1b2e3281dc3f9e082016812e1a778ca30e9828c7e58fa0a9f6dc52350ad4b8c"),
        new("mmlu-pro", "model_outputs_DeepSeek-Coder-V2_5shots.zip", "eval_results/model_outputs_DeepSeek-Coder-V2_5shots.zip", "7a1cb6f4f2dbb89c98d42c339f1b4008e8c33c5d48370822beef6826016a13d0"),
        new("mmlu-pro", "model_outputs_Llama-2-13b-hf_5shots.zip", "eval_results/model_outputs_Llama-2-13b-hf_5shots.zip", "248fbe602862506158edc8e74bff78f1c66b889226a1f98750c207843dccebbf"),
        new("mmlu-pro", "model_outputs_Llama-2-70b-hf_5shots.zip", "eval_results/model_outputs_Llama-2-70b-hf_5shots.zip", "1e3e50201339dfc25a4f2a009afecee6bc1d188f51c5fb4bd04b0b2bb683b9ce"),
        new("mmlu-pro", "model_outputs_Llama-2-7b-hf_5shots.zip", "eval_results/model_outputs_Llama-2-7b-hf_5shots.zip", "57c47f6e70da9d5edf44a4803f75550c553feaadd94340dd9fef09afdeb82e09"),
        new("mmlu-pro", "model_outputs_Meta-Llama-3-70B_5shots.zip", "eval_results/model_outputs_Meta-Llama-3-70B_5shots.zip", "d38e3397a932d2fd120afe7ce1a91d77c9d47a2edafc0dcf47e088301167a39b"),
        new("mmlu-pro", "model_outputs_Meta-Llama-3-8B_5shots.zip", "eval_results/model_outputs_Meta-Llama-3-8B_5shots.zip", "e295f4844082081e8721d9c45bfff17ef1324e92ff0ae05d2c3057e3928a6b0e"),
        new("mmlu-pro", "model_outputs_Meta-Llama-3_1-70B-Instruct_5shots.zip", "eval_results/model_outputs_Meta-Llama-3_1-70B-Instruct_5shots.zip", "26573565138fcd27358a0945c9f525a7d9a75a756689058a0d5bfcbc64fa55cb"),
        new("mmlu-pro", "model_outputs_Meta-Llama-3_1-70B_5shots.zip", "eval_results/model_outputs_Meta-Llama-3_1-70B_5shots.zip", "adad31c9ca629cd3143d0770fec98ca5763297cb349570eba4cf59a41d704476"),
        new("mmlu-pro", "model_outputs_Meta-Llama-3_1-8B-Instruct_5shots.zip", "eval_results/model_outputs_Meta-Llama-3_1-8B-Instruct_5shots.zip", "d5e76b2564b5baad90892c3664287a51f562a3be792a130acaec458b8560a1cf"),
        new("mmlu-pro", "model_outputs_Meta-Llama-3_1-8B_5shots.zip", "eval_results/model_outputs_Meta-Llama-3_1-8B_5shots.zip", "ea8fe2417ec5bece1ebbd11d6bef2c9a23b13d56dcf1f7314aa1e492e528908f"),
        new("mmlu-pro", "model_outputs_Mistral-7B-Instruct-v0.1_5shots.zip", "eval_results/model_outputs_Mistral-7B-Instruct-v0.1_5shots.zip", "8cda305359ec6f510451ea8baa659225b40b9919919096cd703624c4f8a35eb5"),
        new("mmlu-pro", "model_outputs_Mistral-7B-Instruct-v0.2_5shots.zip", "eval_results/model_outputs_Mistral-7B-Instruct-v0.2_5shots.zip", "ff1c5ae8a0f6412cca52537746f192476398c24590a3fb79e8f10c300ffa8248"),
        new("mmlu-pro", "model_outputs_Mistral-7B-v0.1_5shots.zip", "eval_results/model_outputs_Mistral-7B-v0.1_5shots.zip", "d7fc5b95fe29f2e62fdf6ab7aad5da424f16a0ad204713db9f8f1fc7f25bbd72"),
        new("mmlu-pro", "model_outputs_Mistral-7B-v0.2-hf_5shots.zip", "eval_results/model_outputs_Mistral-7B-v0.2-hf_5shots.zip", "5d3436b0cba3e371bf53aea1b8e24a9e35e6959ae68f70d3e297feedf989fe8f"),
        new("mmlu-pro", "model_outputs_Mixtral-8x7B-Instruct-v0.1_5shots.zip", "eval_results/model_outputs_Mixtral-8x7B-Instruct-v0.1_5shots.zip", "4716478ca233a86baa39b1c99452589191d8db3df3b398c871ff2832959408aa"),
        new("mmlu-pro", "model_outputs_Mixtral-8x7B-v0.1_5shots.zip", "eval_results/model_outputs_Mixtral-8x7B-v0.1_5shots.zip", "c31198ca658a59b734f54b9c676fd481465def1e2a66900511cc1c81fc641163"),
        new("mmlu-pro", "model_outputs_Phi-3-mini-4k-instruct_5shots.zip", "eval_results/model_outputs_Phi-3-mini-4k-instruct_5shots.zip", "7f45083108479ef586cc6c855325294c1220a9fcb614066abf22234a26d7037e"),
        new("mmlu-pro", "model_outputs_Qwen1.5-110B_5shots.zip", "eval_results/model_outputs_Qwen1.5-110B_5shots.zip", "37a0859dc3bbd2617fd2c612a8d1d28854c097651aceadb7b61f875828905c76"),
        new("mmlu-pro", "model_outputs_Qwen1.5-72B-Chat_5shots.zip", "eval_results/model_outputs_Qwen1.5-72B-Chat_5shots.zip", "a87935dfe3c349c06115a3b82e299dea30929a3b25ababc879394b58cc93c0b9"),
        new("mmlu-pro", "model_outputs_Qwen1.5-7B-Chat_5shots.zip", "eval_results/model_outputs_Qwen1.5-7B-Chat_5shots.zip", "e1819661f16044ee97734d292c9a7e40f38f9be0aae274642f07943ab69a37b5"),
        new("mmlu-pro", "model_outputs_Yi-34B_5shots.zip", "eval_results/model_outputs_Yi-34B_5shots.zip", "17e44df39275a324a250fee8b98f96d8cddcdc00e68f171f07996db9012c5f27"),
        new("mmlu-pro", "model_outputs_Yi-6B_5shots.zip", "eval_results/model_outputs_Yi-6B_5shots.zip", "2a85c02303f8e9b98ebd689f239c9fa7bf329014ec911c589f2a91fa47bc377d"),
        new("mmlu-pro", "model_outputs_Yi-6b-Chat_5shots.zip", "eval_results/model_outputs_Yi-6b-Chat_5shots.zip", "b79d5074c3685ee9be86d1ecc9c4eef93f234c9fa84db7ae3c1fbec250fa10bf"),
        new("mmlu-pro", "model_outputs_c4ai-command-r-v01_5shots.zip", "eval_results/model_outputs_c4ai-command-r-v01_5shots.zip", "246e2da80791811b1f5a283b40b4f7d62dafc5128d2653edcfe9b81557762e52"),
        new("mmlu-pro", "model_outputs_gemini-1.5-flash-002_5shots.zip", "eval_results/model_outputs_gemini-1.5-flash-002_5shots.zip", "fed3caed9a9c1bfc7da74e5116f70ffdb9023794d1677eb2f7d48a2a4adec2e7"),
        new("mmlu-pro", "model_outputs_gemini-1.5-pro-002_5shots.zip", "eval_results/model_outputs_gemini-1.5-pro-002_5shots.zip", "7d95c116e999dc15012d753e871bbbc8fd4e74b9feb49b992ea55247576af370"),
        new("mmlu-pro", "model_outputs_gemma-7b_5shots.zip", "eval_results/model_outputs_gemma-7b_5shots.zip", "479a85f9f3598c5db75279e95452dd972a719f09eda983925be3595cb60767d9"),
        new("mmlu-pro", "model_outputs_jamba-1.5-large_5shots.zip", "eval_results/model_outputs_jamba-1.5-large_5shots.zip", "c4685b28a9b56fcb1270d9d2674f4989f5fc45129f3f635207d3543d67da1a15"),
        new("mmlu-pro", "model_outputs_mathstral-7B_5shots.zip", "eval_results/model_outputs_mathstral-7B_5shots.zip", "c5613c4778e8dfe18d53015aa5f163fd86141cde22cdb7667f235d496e025f9a"),
    ];
}
