//! placeholder
pub fn render(_p: &super::Plan, _o: &mut dyn std::io::Write) -> std::io::Result<()> {
    Ok(())
}
